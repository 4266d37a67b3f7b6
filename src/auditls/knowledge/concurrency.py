"""Concurrency as data: the calls that block the thread they run on, which inside an
``async def`` stop the event loop and every other task with it (AUD901)."""

from __future__ import annotations

#: Blocking calls -> what to use instead in a coroutine.
BLOCKING_CALLS: dict[str, str] = {
    "time.sleep": "`await asyncio.sleep(...)`",
    **{f"requests.{fn}": "an async client (`httpx.AsyncClient`, `aiohttp`)"
       for fn in ("get", "post", "put", "patch", "delete", "head", "options", "request")},
    "urllib.request.urlopen": "an async client (`httpx.AsyncClient`, `aiohttp`)",
    **{f"subprocess.{fn}": "`await asyncio.create_subprocess_exec(...)`"
       for fn in ("run", "call", "check_call", "check_output")},
    "os.system": "`await asyncio.create_subprocess_shell(...)`",
    "socket.create_connection": "`await asyncio.open_connection(...)`",
    "builtins.input": "`await asyncio.to_thread(input, ...)`",
}  # fmt: skip

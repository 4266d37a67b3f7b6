"""The correctness family (9xx, not security; off by default: ``--select AUD9``): 901, a
blocking call inside an ``async def``."""

from __future__ import annotations

from collections.abc import Iterator

from auditls.facts.concurrency import AsyncFunctionFact
from auditls.knowledge.concurrency import BLOCKING_CALLS
from auditls.rules.findings import Finding
from auditls.rules.index import FactIndex, at_call
from auditls.rules.model import Rule, rule
from auditls.rules.registry import register

BLOCKING_IN_ASYNC = "AUD901"


def check_blocking_in_async(index: FactIndex) -> Iterator[Finding]:
    """AUD901, message fields: callee, function, instead."""
    coroutines = {f.qualname for f in index.facts(AsyncFunctionFact)}
    if not coroutines:
        return
    for call in index.calls_of(BLOCKING_CALLS):
        if call.function in coroutines:
            yield at_call(
                index, BLOCKING_IN_ASYNC, call, "high",
                function=call.function.rpartition(".")[2],
                instead=BLOCKING_CALLS[call.callee or ""],
            )  # fmt: skip


RULES: tuple[Rule, ...] = (
    rule(
        BLOCKING_IN_ASYNC, "blocking-call-in-async", "info", "high", None,
        summary="A call that blocks its thread runs inside an `async def`.",
        details=(
            "Reported for `time.sleep`, `requests.*`, `urllib.request.urlopen`, "
            "`subprocess.run`/`call`/`check_output`, `os.system`, `socket.create_connection` "
            "and `input()` called in the body of an `async def` (a coroutine or an async "
            "generator; not in a function nested in it, which may run in a thread): while it "
            "waits, the event loop and every other task wait too. A correctness rule, not a "
            "security one: **off by default**, run it with `--select AUD9` (or `AUD901`, or "
            "`select = ['AUD9']` in `[tool.auditls]`)."
        ),
        message="{callee} blocks the event loop inside `async def {function}`: every other "
        "task waits for it. Use {instead}, or run it with `await asyncio.to_thread(...)`.",
        fix="Use the async counterpart (`asyncio.sleep`, an async HTTP client, "
        "`asyncio.create_subprocess_exec`), or move the call off the loop with "
        "`await asyncio.to_thread(fn, ...)`.",
        bad="import time\n\n\nasync def poll():\n    time.sleep(1)\n",
        good="import asyncio\n\n\nasync def poll():\n    await asyncio.sleep(1)\n",
        check=check_blocking_in_async,
        knowledge=(BLOCKING_CALLS,),
        default=False,
    ),
)  # fmt: skip

register(*RULES)

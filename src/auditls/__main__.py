"""The ``auditls`` command and ``python -m auditls``: isolate the interpreter, then the CLI.

Nothing else may be imported before :func:`auditls.isolation.isolate` has dropped the current
directory and ``PYTHONPATH`` from ``sys.path`` (see that module); hence the late import of the
CLI, and no ``from __future__`` import here.
"""

import os
import sys
from typing import NoReturn

from auditls.isolation import Shadowed, isolate


def main() -> NoReturn:
    """The ``auditls`` command: runs the CLI, then ends the process (``exit_now``)."""
    try:
        isolate()
    except Shadowed as exc:
        sys.stderr.write(f"auditls: error: {exc}\n")
        exit_now(2)
    if sys.argv[1:] == ["serve"]:
        # What editors run: the supervisor in front of the server process. It relays frames
        # and needs neither the CLI (which imports the store: hashlib's libcrypto) nor TLS
        # (asyncio imports ssl if it can): 15 MB resident instead of 25.
        sys.modules.setdefault("ssl", None)  # type: ignore[arg-type]
        from auditls.supervisor import main as supervise

        exit_now(supervise())
    from auditls.cli import main as cli_main

    exit_now(cli_main(linger=True))


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` once what it wrote is flushed, without freeing what the run
    built object by object (a warm ``check`` holds a million objects: a tenth of a second).
    Every file the run writes is closed and renamed into place by then, its worker processes
    and threads are gone, and the CLI leaves no ``atexit`` work; mypy ends the same way."""
    if "logging" in sys.modules:  # its handlers (``serve --log-file``) flush and close
        sys.modules["logging"].shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe, a closed stream: nothing more to say
            code = code or 1
    os._exit(code)


if __name__ == "__main__":
    main()

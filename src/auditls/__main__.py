"""The ``auditls`` command and ``python -m auditls``: isolate the interpreter, then the CLI.

Nothing else may be imported before :func:`auditls.isolation.isolate` has dropped the current
directory and ``PYTHONPATH`` from ``sys.path`` (see that module); hence the late import of the
CLI, and no ``from __future__`` import here.
"""

import sys

from auditls.isolation import Shadowed, isolate


def main() -> int:
    try:
        isolate()
    except Shadowed as exc:
        sys.stderr.write(f"auditls: error: {exc}\n")
        return 2
    from auditls.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())

"""`python -m auditls` runs the CLI."""

import sys

from auditls.cli import main

sys.exit(main())

"""``python -m auditls.rules > docs/rules.md`` regenerates the rules documentation."""

import sys

import auditls.rules  # noqa: F401 -- registers the rules
from auditls.rules.docs import render_rules_markdown

sys.stdout.write(render_rules_markdown())

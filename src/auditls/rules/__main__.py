"""``python -m auditls.rules > docs/rules.md`` regenerates the rules documentation."""

import sys

from auditls.rules.catalogue import render_rules_markdown

sys.stdout.write(render_rules_markdown())

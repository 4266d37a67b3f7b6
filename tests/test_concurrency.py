"""The correctness family (AUD9xx) is off by default: it runs only when a selection names it
(``AUD9``, ``AUD901``, ``ALL``), never through a bare ``AUD`` or no selection at all."""

from __future__ import annotations

import pytest

from auditls.extractors import extract
from auditls.rules import check_facts
from auditls.rules.runner import names_explicitly

SOURCE = b"import time\n\n\nasync def poll():\n    time.sleep(1)\n"


@pytest.mark.parametrize(
    ("select", "shown"),
    [(None, False), (["AUD"], False), (["AUD1"], False), (["AUD9"], True), (["AUD901"], True),
     (["ALL"], True)],
)  # fmt: skip
def test_off_by_default(select: list[str] | None, shown: bool) -> None:
    found = [f.rule for f in check_facts(extract(SOURCE, "poll.py"), select=select)]
    assert ("AUD901" in found) is shown
    assert names_explicitly("AUD901", select) is shown

"""Testing extractors (INVENTORY.md, Phase 3 Block 2 and Phase 2 testing).

One module per job; importing this package registers their extractors, in this order:

- ``cases``: unittest test cases (direct and candidate subclasses), their tests and fixture
  methods; every test (pytest and unittest) with the fixtures it requests;
- ``assertions``: ``self.assertX`` calls, plain ``assert`` in test code, ``pytest.raises``;
- ``plugins``: ``pytest_*`` hook implementations, ``pytest_plugins`` lists;
- ``fixtures``: pytest fixtures (conftest ones with their directory), parametrize, markers;
- ``strategies``: Hypothesis ``@given`` and its strategies, ``@settings``, ``@example``;
- ``doctests``: ``>>>`` examples in docstrings;
- ``doubles``: mocks, patches and their targets, return values and side effects;
- ``coverage``: ``# pragma: no cover`` and the usual coverage exclusions.

``common`` holds what they share (the test-file notion, test classes). What the test
frameworks are is knowledge: ``auditls.knowledge.testing``.
"""

# isort: off
# The order registers the extractors: keep it (ruff would sort these lines).
from auditls.extractors.testing import cases
from auditls.extractors.testing import assertions
from auditls.extractors.testing import plugins
from auditls.extractors.testing import fixtures
from auditls.extractors.testing import strategies
from auditls.extractors.testing import doctests
from auditls.extractors.testing import doubles
from auditls.extractors.testing import coverage

# isort: on

__all__ = [
    "assertions",
    "cases",
    "coverage",
    "doctests",
    "doubles",
    "fixtures",
    "plugins",
    "strategies",
]

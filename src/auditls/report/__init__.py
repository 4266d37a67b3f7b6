"""Output formats of findings: SARIF (``sarif``); text and JSON live in ``auditls.cli``."""

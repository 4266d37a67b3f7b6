"""auditls: a security language server and CLI for Python."""

__version__ = "0.1.0"

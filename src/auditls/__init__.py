"""auditls: a security language server and CLI for Python."""

__version__ = "0.1.0"

_DIGEST: list[str] = []


def source_digest() -> str:
    """A digest of auditls's own sources: state saved by other code (findings caches, the taint
    engine's summaries) is not reused. Imports stay inside: ``python -m auditls`` runs this
    module before ``auditls.isolation`` has cleaned ``sys.path``."""
    if not _DIGEST:
        import hashlib
        from pathlib import Path

        digest = hashlib.blake2b(digest_size=12)
        package = Path(__file__).parent
        for source in sorted(package.rglob("*.py")):
            digest.update(source.relative_to(package).as_posix().encode())
            digest.update(source.read_bytes())
        _DIGEST.append(digest.hexdigest())
    return _DIGEST[0]


_EXTRACTOR_VERSION: list[str] = []


def extractor_version() -> str:
    """Changes whenever the source of anything that shapes the facts changes: the extractors
    (the suppression parser included), the fact modules and the knowledge package
    (``auditls.extractors.EXTRACTOR_VERSION``; here, so that the indexer can compare it without
    importing every extractor)."""
    if not _EXTRACTOR_VERSION:
        import hashlib
        from pathlib import Path

        digest = hashlib.blake2b(digest_size=8)
        package = Path(__file__).parent
        for layer in ("extractors", "facts", "knowledge"):
            for source in sorted((package / layer).rglob("*.py")):
                digest.update(source.relative_to(package).as_posix().encode())
                digest.update(source.read_bytes())
        _EXTRACTOR_VERSION.append(digest.hexdigest())
    return _EXTRACTOR_VERSION[0]

"""The fact store: per-file facts in SQLite, hot in memory, snapshotted under ``.auditls/``."""

from auditls.store.db import StoreBusy, StoreError
from auditls.store.schema import EncodedFacts, FileRow, build_schema, encode_facts
from auditls.store.store import Store

__all__ = [
    "EncodedFacts",
    "FileRow",
    "Store",
    "StoreBusy",
    "StoreError",
    "build_schema",
    "encode_facts",
]

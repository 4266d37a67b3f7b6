"""The fact store: per-file facts in SQLite, hot in memory, snapshotted under ``.auditls/``."""

from auditls.store.schema import FileRow
from auditls.store.store import Store, StoreError

__all__ = ["FileRow", "Store", "StoreError"]

"""The indexer: bring the store in line with the Python files on disk.

1. **Discover** (``discover.py``). Walk from the workspace root (or from the start paths given)
   with ``os.scandir``, depth first, entries sorted by name. Skip the default excluded
   directories (``DEFAULT_EXCLUDES``, by name at any depth) and virtual environments under any
   name (a directory holding ``pyvenv.cfg``), paths matched by ``[tool.auditls] exclude``
   (gitignore syntax, relative to the root) and paths ignored by ``.gitignore`` files (the root's
   and nested ones; the deepest file that has an opinion wins, as in git). A start path given
   explicitly is never excluded itself. Symbolic links are followed only when their real target
   lies inside the workspace and outside the default excluded directories, and only after every
   real directory has been walked, so a file reachable both directly and through a link is
   indexed once, under its real path. Real directories already walked are remembered, so a
   symlink loop ends.
2. **Reconcile** (``reconcile.py``) each file against its ``files`` row, as mypy's fswatcher
   does: equal (size, mtime_ns) and extractor version means unchanged, with no read. Otherwise
   the file is read and hashed (blake2b, 16 bytes); an equal hash only refreshes the stat
   fields; a new hash is extracted. Files over ``max_file_size`` are recorded as ``skipped``
   with a note and never read. A file that cannot be read gets a row with status ``error``; a
   row with status ``error`` is retried on every run. Both are finding AUD003.
3. **Extract** (``workers.py``) in-process, or with ``jobs > 1`` in spawned worker processes
   that read, hash and extract a chunk of files and send the results back as msgpack
   (``auditls.store.wire``); a worker ends itself when its parent dies. The parent
   (``run.py``) writes results in batches with ``store.replace_many``, in discovery order, so
   the store is the same whatever the number of workers.
4. **Remove** (``reconcile.py``) the rows of files that are gone (in the scope walked). A file
   that vanishes between discovery and read loses its row too and is reported.
5. **Snapshot** (``run.py``) the store to disk when anything changed.

``index_workspace`` (``run.py``) runs the steps; ``report.py`` holds what it returns.
"""

from auditls.index.discover import (
    DEFAULT_EXCLUDES,
    Discovery,
    discover,
    is_excluded,
    real_name,
    real_path,
)
from auditls.index.report import IndexNote, IndexReport
from auditls.index.run import index_workspace

__all__ = [
    "DEFAULT_EXCLUDES",
    "Discovery",
    "IndexNote",
    "IndexReport",
    "discover",
    "index_workspace",
    "is_excluded",
    "real_name",
    "real_path",
]

"""The workspace linker: module index, imports and re-exports, ``resolve()`` of a name across
files, helper parameters; cached per store revision. Every cross-file model builds on it (the
algorithm is in ``auditls.link.linker``'s docstring).

The API, in one line each:

- ``link_of(store, fact_types=None) -> Linker``: the cached linker of the files with those rows.
- ``Linker.from_store(store, fact_types=None)``, ``Linker.from_files(files)``: build one.
- ``Linker.files``: the linked ``FileFacts`` by path; ``Linker.sites(FactType)``: one table's rows.
- ``Linker.modules`` / ``linked_modules``: module -> path (every file / the linked files).
- ``Linker.imports``, ``imports_of(module)``, ``stars``: module-level imports and star imports.
- ``Linker.resolve(ref, stop=None)``, ``chain(ref, stop=None)``, ``defines(ref)``: names.
- ``Linker.assignments``, ``params``, ``functions``, ``classes``, ``calls``, ``returns``: the
  definitions of the linked files, by scope and name or qualified name.
- ``Linker.assigned_calls(ref)``: the callees whose results a name is assigned from.
- ``Linker.parameter(ref)``, ``arguments(param, passes)``: helper parameters and what callers
  pass to them.
- ``inputs_digest(store, fact_types)``, ``imports_digest(store)``: digests of what a model of
  those files reads, for caches kept between processes.
- ``Site``: a fact and its file's path; ``split_ref(ref)``: ``(scope, name)`` of a reference.
"""

from auditls.link.linker import (
    Argument,
    DomainKey,
    Linker,
    ModelCache,
    Site,
    domain_key,
    import_generation,
    imports_digest,
    inputs_digest,
    link_of,
    split_ref,
)

__all__ = [
    "Argument",
    "DomainKey",
    "Linker",
    "ModelCache",
    "Site",
    "domain_key",
    "import_generation",
    "imports_digest",
    "inputs_digest",
    "link_of",
    "split_ref",
]

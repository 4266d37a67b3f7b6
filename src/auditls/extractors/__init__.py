"""Extraction: parse once, walk once, emit facts. (Temporary stub: the real engine is landing.)"""

from __future__ import annotations

import ast
from pathlib import Path

from auditls.facts import CORE_FACT_TYPES, Fact, FileFacts

EXTRACTOR_VERSION = "0"


def all_fact_types() -> tuple[type[Fact], ...]:
    return CORE_FACT_TYPES


def module_name_for(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = [p for p in rel.parts if p != "__init__"]
    if parts and parts[0] == "src":
        parts = parts[1:]
    return ".".join(parts)


def extract(source: bytes, path: str, *, module: str | None = None) -> FileFacts:
    mod = module if module is not None else path.removesuffix(".py").replace("/", ".")
    try:
        ast.parse(source)
    except (SyntaxError, ValueError) as exc:
        return FileFacts(path=path, module=mod, status="syntax_error", error=str(exc))
    return FileFacts(path=path, module=mod, status="ok")

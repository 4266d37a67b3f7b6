"""How a workspace's files map to what the index reads and to module names: Python's package
rules (``__init__.py`` directories) and Django's template directories.

Kept apart from ``auditls.extractors`` (which re-exports it) so that what decides which files
are indexed, and under which module, is known without importing every extractor: a warm
``auditls check`` with nothing to extract never imports them.
"""

from __future__ import annotations

from pathlib import Path

from auditls.facts import escape_path

#: The suffixes of template files (under a ``templates`` directory).
TEMPLATE_SUFFIXES = (".html", ".htm")
#: The directory name that holds templates.
TEMPLATE_DIR = "templates"


def is_template(name: str) -> bool:
    """Whether a workspace-relative path (``/`` separators) names a template file."""
    if not name.endswith(TEMPLATE_SUFFIXES):
        return False
    return TEMPLATE_DIR in name.split("/")[:-1]


def is_indexed(name: str) -> bool:
    """Whether a workspace-relative path (``/`` separators) names a file the index reads: a
    Python file, or a template (``auditls.extractors.django.templates``)."""
    return name.endswith(".py") or is_template(name)


def module_name_for(path: Path, root: Path) -> str:
    """The dotted module name of a file: package roots by ``__init__.py``, ``src/`` layouts.

    Walks up from the file while the directory holds an ``__init__.py`` (never above ``root``).
    A template's module name is its path relative to ``root`` (no Python name can equal it).
    """
    path = path if path.is_absolute() else root / path
    if path.suffix in (".html", ".htm") and path.is_relative_to(root):
        rel = path.relative_to(root).as_posix()
        if is_template(rel):
            return escape_path(rel)
    parts = [path.stem] if path.stem != "__init__" else []
    directory = path.parent
    while directory != root and (directory / "__init__.py").is_file():
        parts.append(directory.name)
        if directory.parent == directory:
            break
        directory = directory.parent
    if not parts:  # a top-level __init__.py: name it after its directory
        parts.append(directory.name or "__main__")
    return escape_path(".".join(reversed(parts)))  # a name that is not UTF-8 (auditls.facts)

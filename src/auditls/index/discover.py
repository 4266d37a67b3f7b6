"""Step 1 of the indexer (see ``auditls.index``): find the Python files under the start paths,
and the templates (``extractors.is_indexed``: ``.html`` / ``.htm`` files under a ``templates``
directory; read as text, never as Python).

Default excludes, virtual environments, ``[tool.auditls] exclude`` and ``.gitignore`` layers
decide what is skipped; symbolic links are followed last and only inside the workspace.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pathspec

from auditls.config import Config, UnreadableFile, read_workspace_file
from auditls.facts import escape_path
from auditls.index.report import IndexNote, why
from auditls.knowledge.layout import is_indexed

#: Directory names never walked into, at any depth.
DEFAULT_EXCLUDES = frozenset(
    {".git", ".venv", "venv", "node_modules", "__pycache__", "build", "dist", ".tox", ".nox"}
    | {".auditls"}
)


@dataclass(frozen=True, slots=True)
class _Layer:
    base: str  # directory of the .gitignore, relative to the root ("" for the root)
    spec: pathspec.GitIgnoreSpec


@dataclass(slots=True)
class Discovery:
    """The Python files found under the start paths."""

    files: dict[str, str] = field(default_factory=dict)  # rel path -> absolute path, sorted
    scopes: list[str] = field(default_factory=list)  # rel start paths ("" is the whole root)
    notes: list[IndexNote] = field(default_factory=list)  # unreadable directories


def _rel(root: str, path: str) -> str:
    rel = os.path.relpath(path, root)
    return "" if rel == "." else rel.replace(os.sep, "/")


def _inside(root: str, real: str) -> bool:
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


class _Walker:
    def __init__(self, root: str, config: Config) -> None:
        self.root = root
        self.exclude = pathspec.GitIgnoreSpec.from_lines(config.exclude)
        self.out = Discovery()
        self.visited_dirs: set[str] = set()
        self.noted: set[str] = set()  # .gitignore files already reported as not used
        self.file_reals: set[str] = set()
        # (absolute path, rel path, gitignore layers of its directory)
        self.links: list[tuple[str, str, tuple[_Layer, ...]]] = []

    def gitignore(self, abs_dir: str, rel_dir: str) -> _Layer | None:
        """The rules of ``abs_dir``'s .gitignore, read as configuration is
        (``read_workspace_file``: a regular file in the workspace, capped); one that cannot be
        read is left out with a note (more files analysed, none hidden)."""
        path = os.path.join(abs_dir, ".gitignore")
        try:
            raw = read_workspace_file(Path(self.root), Path(path))
        except UnreadableFile as exc:
            rel = escape_path(f"{rel_dir}/.gitignore" if rel_dir else ".gitignore")
            if rel not in self.noted:
                self.noted.add(rel)
                self.out.notes.append(IndexNote(rel, "error", f"not used: {exc}"))
            return None
        if raw is None:
            return None
        lines = raw.decode("utf-8", errors="replace").splitlines()
        return _Layer(rel_dir, pathspec.GitIgnoreSpec.from_lines(lines))

    def layers_for(self, rel_dir: str) -> tuple[_Layer, ...]:
        """The .gitignore layers that apply inside ``rel_dir`` (root first)."""
        layers: list[_Layer] = []
        parts = rel_dir.split("/") if rel_dir else []
        for depth in range(len(parts) + 1):
            rel = "/".join(parts[:depth])
            layer = self.gitignore(os.path.join(self.root, *parts[:depth]), rel)
            if layer is not None:
                layers.append(layer)
        return tuple(layers)

    def excluded(self, rel: str, name: str, is_dir: bool, layers: tuple[_Layer, ...]) -> bool:
        if is_dir and name in DEFAULT_EXCLUDES:
            return True
        probe = rel + "/" if is_dir else rel
        if self.exclude.match_file(probe):
            return True
        for layer in reversed(layers):
            sub = probe[len(layer.base) + 1 :] if layer.base else probe
            verdict = layer.spec.check_file(sub).include
            if verdict is not None:
                return bool(verdict)
        return False

    def in_default_excluded(self, real: str) -> bool:
        rel = _rel(self.root, real)
        return any(part in DEFAULT_EXCLUDES for part in rel.split("/"))

    def add_file(self, abs_path: str, rel: str, real: str) -> None:
        if real in self.file_reals:
            return
        self.file_reals.add(real)
        # The store and every report name a file by its escaped name (``auditls.facts``); it is
        # read through ``abs_path``, its real name.
        name = escape_path(rel)
        if name in self.out.files:
            self.out.notes.append(
                IndexNote(name, "error", "two files have this name once escaped; one is analysed")
            )
            return
        self.out.files[name] = abs_path

    def walk(self, abs_dir: str, rel_dir: str, layers: tuple[_Layer, ...]) -> None:
        """Walk real directories depth first; collect symlinks for later."""
        # A directory reached through an entry that is not a symlink has its parent's real
        # path plus its name: one realpath per walk, not one per directory (3,247 in the
        # Django sdist: a quarter of a warm check's time).
        stack = [(abs_dir, rel_dir, layers, os.path.realpath(abs_dir))]
        while stack:
            cur_abs, cur_rel, cur_layers, cur_real = stack.pop()
            try:
                with os.scandir(cur_abs) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except FileNotFoundError:
                continue
            except OSError as exc:
                self.out.notes.append(
                    IndexNote(
                        escape_path(cur_rel) or ".", "error", f"cannot list directory: {why(exc)}"
                    )
                )
                continue
            if cur_abs != abs_dir and any(e.name == "pyvenv.cfg" for e in entries):
                continue  # a virtual environment under any name: installed code, not ours
            # Only a directory listing a .gitignore (a file or a link) has one to read: the
            # read resolves the workspace's real path twice, per directory.
            own = (
                self.gitignore(cur_abs, cur_rel)
                if any(e.name == ".gitignore" for e in entries)
                else None
            )
            if own is not None:
                cur_layers = (*cur_layers, own)
            subdirs = []
            for entry in entries:
                rel = f"{cur_rel}/{entry.name}" if cur_rel else entry.name
                try:
                    if entry.is_symlink():
                        self.links.append((entry.path, rel, cur_layers))
                    elif entry.is_dir(follow_symlinks=False):
                        if not self.excluded(rel, entry.name, True, cur_layers):
                            real = os.path.join(cur_real, entry.name)
                            if real not in self.visited_dirs:
                                self.visited_dirs.add(real)
                                subdirs.append((entry.path, rel, cur_layers, real))
                    elif is_indexed(rel) and not self.excluded(rel, entry.name, False, cur_layers):
                        # Not only regular files: a FIFO or a device named *.py is recorded as
                        # unreadable (AUD003) by the reader, never silently left out.
                        self.add_file(entry.path, rel, os.path.join(cur_real, entry.name))
                except OSError:
                    continue  # vanished while we looked at it
            stack.extend(reversed(subdirs))

    def follow_links(self) -> None:
        """Follow the collected symlinks that stay inside the workspace, once per target."""
        while self.links:
            pending, self.links = sorted(self.links, key=lambda t: t[1]), []
            for abs_path, rel, layers in pending:
                real = os.path.realpath(abs_path)
                if not _inside(self.root, real) or self.in_default_excluded(real):
                    continue  # never follow a link out of the workspace
                name = rel.rsplit("/", 1)[-1]
                try:
                    st = os.stat(real)
                except OSError:
                    continue  # dangling link
                if stat.S_ISDIR(st.st_mode):
                    if real in self.visited_dirs or self.excluded(rel, name, True, layers):
                        continue  # a loop, or a directory already walked
                    self.visited_dirs.add(real)
                    self.walk(abs_path, rel, layers)
                elif is_indexed(rel) and not self.excluded(rel, name, False, layers):
                    self.add_file(abs_path, rel, real)  # not a regular file: AUD003, as above


def discover(root: Path, config: Config, starts: Sequence[Path] | None = None) -> Discovery:
    """Find the Python files to index under ``starts`` (default: the whole root).

    ``root`` must be a resolved absolute path; every start must lie inside it.
    """
    root_s = str(root)
    walker = _Walker(root_s, config)
    walker.visited_dirs.add(os.path.realpath(root_s))
    start_list = [root] if not starts else list(starts)
    # Walk the real directories of every start first, then follow links.
    for start in start_list:
        start_s = str(start)
        rel = _rel(root_s, start_s)
        walker.out.scopes.append(escape_path(rel))
        if os.path.isdir(start_s):
            real = os.path.realpath(start_s)
            walker.visited_dirs.add(real)
            parent = rel.rsplit("/", 1)[0] if "/" in rel else ""
            layers = walker.layers_for(parent) if rel else ()
            walker.walk(start_s, rel, layers)
        elif os.path.isfile(start_s):
            walker.add_file(start_s, rel, os.path.realpath(start_s))  # named explicitly
    walker.follow_links()
    walker.out.files = dict(sorted(walker.out.files.items()))
    return walker.out


_ESCAPED_BYTE = re.compile(r"\\x([0-9a-f]{2})")


def real_name(rel: str) -> str:
    """The file name (``os.fsdecode`` form) that ``escape_path`` wrote as ``rel``: every
    ``\\xNN`` back to its byte (a non-UTF-8 byte as its surrogate escape, a control character
    as itself). The inverse of ``escape_path`` for the names it escaped; a name that has no
    ``\\x`` is returned as it is."""
    if "\\x" not in rel:
        return rel

    def byte(match: re.Match[str]) -> str:
        value = int(match.group(1), 16)
        return chr(0xDC00 + value) if value >= 0x80 else chr(value)

    return _ESCAPED_BYTE.sub(byte, rel)


def real_path(root: Path, rel: str) -> Path:
    """The file a stored path (relative to ``root``, escaped by ``escape_path``) names on disk.

    Escaping is not injective: a name may hold a backslash, ``x`` and two hex digits as they
    are. The unescaped name is taken when it escapes back to ``rel`` and exists; otherwise the
    name as written."""
    name = real_name(rel)
    if name != rel and escape_path(name) == rel and os.path.lexists(root / name):
        return root / name
    return root / rel


def is_excluded(root: Path, config: Config, rel: str) -> bool:
    """Whether a full discovery would skip ``rel`` (relative to the resolved ``root``, "/"
    separators): a default excluded directory or a virtual environment on its way, a
    ``[tool.auditls] exclude`` pattern or a ``.gitignore`` rule. For callers that hear of one
    path at a time (the server's file watcher), where ``discover`` would not exclude a start path
    given explicitly."""
    walker = _Walker(str(root), config)
    parts = [part for part in rel.split("/") if part]
    layers: tuple[_Layer, ...] = ()
    directory = str(root)
    for depth, name in enumerate(parts):
        own = walker.gitignore(directory, "/".join(parts[:depth]))
        if own is not None:
            layers = (*layers, own)
        path = os.path.join(directory, name)
        last = depth == len(parts) - 1
        is_dir = not last or os.path.isdir(path)
        if walker.excluded("/".join(parts[: depth + 1]), name, is_dir, layers):
            return True
        if not last and os.path.isfile(os.path.join(path, "pyvenv.cfg")):
            return True  # a virtual environment under any name
        directory = path
    return False


def in_scope(rel: str, scopes: Sequence[str]) -> bool:
    """Whether ``rel`` lies under one of the ``Discovery.scopes`` (so a scoped run may drop it)."""
    return any(not s or rel == s or rel.startswith(s + "/") for s in scopes)

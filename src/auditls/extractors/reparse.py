"""Parse an edited buffer again by re-parsing only the statements the edit touched.

An editor sends a buffer after every edit, and ``ast.parse`` is about half of a buffer's first
analysis (40 of 80 ms for a 107 KB file on Python 3.11). An edit changes a few lines, so most of
the new tree is the old one. ``Reparser`` keeps the last tree of a few documents. For the next
version of one it compares the lines, keeps the statements wholly before the change as they
are, keeps those wholly after it (with their line numbers moved by the lines added or
removed), and parses only the lines in between. It goes down into a ``def`` or ``class`` that
holds the whole change, so an edit in one method of a 2,000-line class re-parses that method.

Parsing a piece alone must give what the whole file gives, so a splice is made only when
these hold, and the whole file is parsed otherwise:

- the piece begins where the statement before it ended (no ``;`` sharing a line, no ``\\``
  at the end of that line), and its first token is at the indentation of the statements it
  sits among;
- the piece parses by itself as whole statements (an unclosed bracket or string fails), and in
  a ``def`` or ``class`` body it parses as one body of that indentation (nothing dedented out);
- the statements kept after the piece start at a statement boundary of the old tree, which the
  piece, being whole statements, leaves as it was.

``tests/test_reparse.py`` compares every splice with a full parse (positions included) over
chains of random edits of real files.

A tree this returns is shared with the next parse of that document, which may change its nodes
in place (line numbers): it is for one walk, on one thread at a time, before the next call.
"""

from __future__ import annotations

import ast
import threading
from collections import Counter, OrderedDict

from auditls.extractors.parse import parse

#: Statements whose body a splice goes into.
_BODIES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
#: The only future import that changes how Python parses (``<>``).
_PARSER_FUTURE = "barry_as_FLUFL"
#: Fields that hold no positioned node: the parser shares one object per context or operator.
_LEAVES = frozenset({"ctx", "op", "ops"})
#: Per node class, the fields that may hold nodes.
_CHILDREN: dict[type[ast.AST], tuple[str, ...]] = {}


class Reparser:
    """The last tree of the ``keep`` documents parsed most recently (texts of ``min_size``
    characters or more: a smaller file parses in a few milliseconds)."""

    def __init__(self, keep: int = 2, min_size: int = 8192) -> None:
        self.keep = keep
        self.min_size = min_size
        self._last: OrderedDict[str, tuple[list[str], ast.Module]] = OrderedDict()
        self._lock = threading.Lock()
        #: How each parse went: ``full``, ``same`` (text unchanged) or ``spliced``.
        self.stats: Counter[str] = Counter()

    def parse(self, text: str, path: str) -> ast.Module:
        """The tree of ``text`` (as ``parse.parse``; raises what it raises)."""
        with self._lock:
            if len(text) < self.min_size or "\r" in text or _PARSER_FUTURE in text:
                self._last.pop(path, None)
                return parse(text, path)
            lines = text.split("\n")
            last = self._last.get(path)
            tree: ast.Module | None = None
            if last is not None:
                if last[0] == lines:
                    self.stats["same"] += 1
                    tree = last[1]
                else:
                    tree = _splice(last[0], lines, last[1], path)
                    if tree is not None:
                        self.stats["spliced"] += 1
            if tree is None:
                self.stats["full"] += 1
                tree = parse(text, path)  # a SyntaxError keeps the last good tree
            self._last[path] = (lines, tree)
            self._last.move_to_end(path)
            while len(self._last) > self.keep:
                self._last.popitem(last=False)
            return tree


def _start(stmt: ast.stmt) -> int:
    """The first line of a statement: its first decorator's, for a decorated one."""
    decorators: list[ast.expr] = getattr(stmt, "decorator_list", [])
    return min([stmt.lineno, *(d.lineno for d in decorators)])


def _end(stmt: ast.stmt) -> int:
    return stmt.end_lineno if stmt.end_lineno is not None else stmt.lineno


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _first_code(lines: list[str]) -> str | None:
    """The first line holding a token (not blank, not only a comment), or None."""
    for line in lines:
        stripped = line.lstrip()
        if stripped and not stripped.startswith("#"):
            return line
    return None


def _shift(stmts: list[ast.stmt], delta: int) -> None:
    """Move every node of ``stmts`` by ``delta`` lines (in place): about a third of the cost
    of parsing them."""
    stack: list[ast.AST] = list(stmts)
    push = stack.append
    while stack:
        node = stack.pop()
        try:
            node.lineno += delta  # type: ignore[attr-defined]
            if node.end_lineno is not None:  # type: ignore[attr-defined]
                node.end_lineno += delta  # type: ignore[attr-defined]
        except AttributeError:
            pass  # a node without a position (arguments, comprehension, withitem...)
        names = _CHILDREN.get(type(node))
        if names is None:
            names = _CHILDREN[type(node)] = tuple(f for f in node._fields if f not in _LEAVES)
        for name in names:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        push(item)
            elif isinstance(value, ast.AST):
                push(value)


def _splice(old: list[str], new: list[str], tree: ast.Module, path: str) -> ast.Module | None:
    """``tree`` (of the lines ``old``) made the tree of ``new``, or None to parse it all."""
    n = min(len(old), len(new))
    p = 0  # lines 1..p are the same in both
    while p < n and old[p] == new[p]:
        p += 1
    s = 0  # so are the last s lines
    while s < n - p and old[-1 - s] == new[-1 - s]:
        s += 1
    last_changed = len(old) - s  # in the old text; < p + 1 when lines were only inserted
    delta = len(new) - len(old)
    # The bodies from the module down to the innermost def/class holding the whole change.
    levels: list[tuple[ast.stmt | None, list[ast.stmt]]] = [(None, tree.body)]
    while True:
        owner, body = levels[-1]
        k, j = _bounds(body, p, last_changed)
        holder = body[k] if j - k == 1 else None
        if not isinstance(holder, _BODIES):
            break
        inner = holder.body
        if not (_start(inner[0]) <= p and last_changed <= _end(inner[-1])):
            break
        levels.append((holder, inner))
    for depth in range(len(levels) - 1, -1, -1):
        owner, body = levels[depth]
        replaced = _replace(old, new, owner, body, p, last_changed, delta, path)
        if replaced is None:
            continue
        body[:] = replaced
        # Each body above: the statements after the one holding the change move; the
        # def/class holding it ends where its body now ends.
        for up in range(depth, 0, -1):
            block, inside = levels[up]
            assert block is not None  # only the module's level has no owner
            outer = levels[up - 1][1]
            if delta:
                at = next(i for i, stmt in enumerate(outer) if stmt is block)
                _shift(outer[at + 1 :], delta)
            block.end_lineno = inside[-1].end_lineno
            block.end_col_offset = inside[-1].end_col_offset
        return tree
    return None


def _bounds(body: list[ast.stmt], p: int, last_changed: int) -> tuple[int, int]:
    """``body[:k]`` lie wholly in the first ``p`` lines, ``body[j:]`` wholly after the last
    changed line."""
    k = 0
    while k < len(body) and _end(body[k]) <= p:
        k += 1
    j = k
    while j < len(body) and _start(body[j]) <= last_changed:
        j += 1
    return k, j


def _replace(
    old: list[str],
    new: list[str],
    owner: ast.stmt | None,
    body: list[ast.stmt],
    p: int,
    last_changed: int,
    delta: int,
    path: str,
) -> list[ast.stmt] | None:
    """The new statements of ``body`` (``owner``'s, or the module's), or None."""
    k, j = _bounds(body, p, last_changed)
    while k < j < len(body) and _start(body[j]) <= _end(body[j - 1]):
        j += 1  # a statement sharing a line with the piece goes into it
    if owner is None:
        expected = ""
        end = len(new) if j == len(body) else _start(body[j]) + delta - 1
    else:
        head = body[0]
        expected = _indent(old[head.lineno - 1])
        if _start(head) > p or head.col_offset != len(expected.encode("utf-8")):
            return None  # the body starts on the header's line, or the change reaches it
        end = (_end(body[-1]) if j == len(body) else _start(body[j]) - 1) + delta
    while True:
        if 0 < k < len(body) and _start(body[k]) <= _end(body[k - 1]):
            k -= 1  # shares a line with the piece
            continue
        if k > 0 and old[_end(body[k - 1]) - 1].rstrip().endswith("\\"):
            k -= 1  # a continued line: the piece would join it
            continue
        first = (_end(body[k - 1]) + 1) if k > 0 else (1 if owner is None else _start(body[0]))
        piece = new[first - 1 : end]
        code = _first_code(piece)
        if code is None or _indent(code) == expected:
            break
        if k == 0:
            return None
        k -= 1  # the piece starts deeper: it continues the statement before
    if code is None:
        stmts: list[ast.stmt] = []
    else:
        text = "\n".join(piece) + "\n"
        try:
            if owner is None:
                stmts = parse("\n" * (first - 1) + text, path).body
            else:
                wrapper = parse("\n" * (first - 2) + "class _:\n" + text, path).body
                if len(wrapper) != 1 or not isinstance(wrapper[0], ast.ClassDef):
                    return None  # the piece dedents out of the body
                stmts = wrapper[0].body
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    after = body[j:]
    if owner is not None and not (k or stmts or after):
        return None  # an empty body does not parse
    if delta:
        _shift(after, delta)
    return body[:k] + stmts + after

"""The pre-filter: which extractors a file needs, decided from the modules it imports.

An extractor declares the knowledge it reads (``Extractor.qualnames``, ``instances_of``,
``names``, ``fragments``: tables of ``auditls.knowledge``); ``register`` derives from them what a
file must contain for that knowledge to be reachable (``Needs``), and ``extract()`` leaves out,
before the walk, every extractor whose needs a file does not meet (it costs nothing there).
Nothing is written by hand: a new table entry is reachable as soon as it is in the table.

When is an entry reachable? The test is sound: a file it skips could not have given the
extractor anything to record.

- A qualified name (``subprocess.run``, ``tarfile.open.extractall``): ``ctx.qualname`` builds it
  from an import of its top-level module (absolute, or relative and resolved to it, or the
  file's own module for its own definitions), and its last part is an identifier the file spells.
  So the file imports that module and spells that word. Every file imports ``builtins``.
- An instance of a class (an app, an extension) that the model types: the file imports one of
  the packages of those classes.
- A name matched as written, unresolved: the file spells that word. That covers a method called
  on an object of any type (``cursor.execute``), a setting, and the methods an extractor reads on
  an object whose type the file cannot know: imported from another module of the workspace
  (``from .app import app; @app.route``) or passed to a helper (``def install(app)``).
- A fragment (a literal path prefix, the start of a setting's name): the text contains it.

Imports are found by a lexical scan of the text (``scan_imports``), not by another walk of the
tree: every ``import`` / ``from`` keyword at the start of a statement (a line start, or after
``;`` or the ``:`` of a compound statement on the same line), dotted names, ``as`` aliases,
parenthesised and backslash-continued lists, relative imports resolved as
``Context.resolve_relative`` resolves them. Text inside strings that looks like an import adds a
module, which only costs time; a real import is never missed. The words of a file are the
maximal runs of word characters of its text. Python reads identifiers NFKC-normalised (a
full-width ``eval`` is ``eval``), and so does the scan.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from auditls.extractors.semantic import package_of, resolve_relative

if TYPE_CHECKING:
    from auditls.extractors.walker import Extractor

_BUILTINS = "builtins"

# Whitespace inside a statement outside brackets: spaces, tabs, form feeds, backslash-newlines.
_S = r"(?:[ \t\f]|\\\n)"
_NAME = r"[^\W\d]\w*"
_DOTTED = rf"{_NAME}(?:{_S}*\.{_S}*{_NAME})*"
#: The two keywords (a fast literal search; whether one starts a statement is checked after).
_KEYWORD = re.compile(r"(?:import|from)\b")
#: One item of ``import a.b as c, d``: its first name, and the comma after it, if any.
_IMPORT_ITEM = re.compile(
    rf"{_S}*({_NAME})(?:{_S}*\.{_S}*{_NAME})*(?:{_S}+as{_S}+{_NAME})?{_S}*(,)?"
)
#: ``from ..a.b import``: the dots and the module.
_FROM = re.compile(rf"((?:{_S}*\.)*){_S}*({_DOTTED})?{_S}*import\b")
#: What follows ``from . import``: a parenthesised list (over lines) or the rest of the line.
_FROM_NAMES = re.compile(rf"{_S}*(?:\(([^)]*)\)|((?:[^\n;#\\]|\\\n)*))")
_FIRST_NAME = re.compile(_NAME)
_COMMENT = re.compile(r"#[^\n]*")
_BLANK = frozenset(" \t\f")


def _starts_statement(text: str, i: int) -> bool:
    """Whether the keyword at ``i`` stands where a statement starts: after a line start, ``;``
    or ``:`` with only blanks between (a line start after a backslash counts too: a superset)."""
    if i and (text[i - 1].isalnum() or text[i - 1] in "_."):
        return False  # the end of a longer name, or an attribute
    j = i - 1
    while j >= 0 and text[j] in _BLANK:
        j -= 1
    return j < 0 or text[j] in "\n;:"


def scan_imports(text: str, package: str) -> frozenset[str]:
    """The top-level modules the import statements of ``text`` name, relative imports resolved
    from ``package`` (a superset: see above)."""
    modules: set[str] = set()
    for match in _KEYWORD.finditer(text):
        if not _starts_statement(text, match.start()):
            continue
        pos = match.end()
        if text.startswith("import", match.start()):
            while item := _IMPORT_ITEM.match(text, pos):
                modules.add(item.group(1))
                if item.group(2) is None:
                    break
                pos = item.end()
            continue
        found = _FROM.match(text, pos)
        if found is None:
            continue  # "from" in prose
        level = found.group(1).count(".")
        dotted = re.sub(r"[\s\\]", "", found.group(2) or "")
        base = resolve_relative(package, dotted or None, level)
        if base:
            modules.add(base.partition(".")[0])
            continue
        # `from . import x` above the top package: each name is a module of its own.
        names = _FROM_NAMES.match(text, found.end())
        if names is not None:
            listed = _COMMENT.sub("", names.group(1) or names.group(2) or "")
            for part in listed.split(","):
                first = _FIRST_NAME.search(part)
                if first is not None:
                    modules.add(first.group())
    return frozenset(modules)


#: A fragment's maximal runs of word characters (``_word_runs``), by fragment.
_FRAGMENT_RUNS: dict[str, tuple[bytes, ...]] = {}


def _word_runs(fragment: str) -> tuple[bytes, ...]:
    """The maximal runs of word characters of a fragment, as ``words_of`` cuts them."""
    return tuple(fragment.encode("utf-8", "surrogatepass").translate(_WORDS_TABLE).split())


def nfkc(text: str) -> str:
    """The text as Python reads its identifiers (NFKC); the same string when already so."""
    if text.isascii() or unicodedata.is_normalized("NFKC", text):
        return text
    return unicodedata.normalize("NFKC", text)


_WORD_BYTES = frozenset((string.ascii_letters + string.digits + "_").encode()) | frozenset(
    range(128, 256)  # non-ASCII: part of a word (an identifier may be any letter)
)
#: Bytes of word characters kept, every other byte made a space: ``split()`` gives the words.
_WORDS_TABLE = bytes(c if c in _WORD_BYTES else 0x20 for c in range(256))


def words_of(text: str) -> frozenset[bytes]:
    """The maximal runs of word characters of ``text``, UTF-8 encoded (every identifier used is
    one of them)."""
    return frozenset(text.encode("utf-8", "surrogatepass").translate(_WORDS_TABLE).split())


class FileScan:
    """What the pre-filter knows of one file: the modules it imports, the words it spells."""

    __slots__ = ("_blob", "_found", "_words", "imports", "module", "seen", "text")

    def __init__(self, text: str, path: str, module: str) -> None:
        self.text = nfkc(text)
        self.module = module
        #: Top-level modules the file's import statements name.
        self.imports = scan_imports(self.text, package_of(path, module))
        #: Top-level modules whose names can resolve here: imported ones, the file's own
        #: (its definitions are ``<module>.name``) and ``builtins``.
        self.seen = self.imports | {module.partition(".")[0], _BUILTINS}
        self._words: frozenset[bytes] | None = None
        self._blob: bytes | None = None
        self._found: dict[str, bool] = {}

    @property
    def words(self) -> frozenset[bytes]:
        if self._words is None:
            self._words = words_of(self.text)
        return self._words

    def spells_any(self, words: frozenset[bytes]) -> bool:
        """Whether the file spells one of these words (UTF-8 encoded)."""
        return not self.words.isdisjoint(words)

    def contains_any(self, fragments: Iterable[str]) -> bool:
        """Whether the text contains one of these fragments anywhere."""
        found = self._found
        for fragment in fragments:
            hit = found.get(fragment)
            if hit is None:
                hit = found[fragment] = self._contains(fragment)
            if hit:
                return True
        return False

    def _contains(self, fragment: str) -> bool:
        """``fragment in self.text``, looked for first in the file's words (a tenth of its text
        or less): each run of word characters of a fragment lies within a word of the text, so
        a run that no word holds rules the fragment out without reading the text."""
        if self._blob is None:
            self._blob = b"\n".join(self.words)
        blob = self._blob
        runs = _FRAGMENT_RUNS.get(fragment)
        if runs is None:
            runs = _FRAGMENT_RUNS[fragment] = _word_runs(fragment)
        for run in runs:
            if run not in blob:
                return False
        if len(runs) == 1 and len(runs[0]) == len(fragment.encode("utf-8", "surrogatepass")):
            return True  # the fragment is one run of word characters: within a word
        return fragment in self.text

    def meets(self, needs: Needs) -> bool:
        """Whether an extractor with these needs can find anything in this file."""
        if needs.always:
            return True
        modules = needs.modules
        for top in self.seen:
            if top in modules:
                words = modules[top]
                if words is None or self.spells_any(words):
                    return True
        if needs.words and self.spells_any(needs.words):
            return True
        return self.contains_any(needs.fragments)


@dataclass(frozen=True, slots=True)
class Needs:
    """What a file must contain for an extractor to find anything in it (see the module doc)."""

    #: Top-level module -> words the file must spell one of (None: importing it is enough).
    modules: Mapping[str, frozenset[bytes] | None]
    #: Words matched as written: spelling one is enough.
    words: frozenset[bytes]
    #: Text matched anywhere: containing one is enough.
    fragments: tuple[str, ...]

    @property
    def always(self) -> bool:
        """No knowledge declared: the extractor runs on every file."""
        return not self.modules and not self.words and not self.fragments


def word(name: str) -> bytes:
    """A name as ``FileScan.words`` holds it."""
    return nfkc(name).encode("utf-8")


def needs_of(cls: type[Extractor]) -> Needs:
    """Derive an extractor's needs from the knowledge it declares."""
    modules: dict[str, set[bytes] | None] = {}
    words: set[bytes] = set()
    for table in cls.instances_of:
        for qualname in table:
            modules[qualname.partition(".")[0]] = None
    for table in cls.qualnames:
        for qualname in table:
            top, last = qualname.partition(".")[0], qualname.rpartition(".")[2]
            if top == _BUILTINS:
                words.add(word(last))  # every file imports builtins: spelling it is the test
                continue
            required = modules.setdefault(top, set())
            if required is not None:
                required.add(word(last))
    for table in cls.names:
        for name in table:
            if not name.isidentifier():
                raise TypeError(f"{cls.__qualname__}: {name!r} is not a name (a fragment?)")
            words.add(word(name))
    return Needs(
        modules={m: None if w is None else frozenset(w) for m, w in modules.items()},
        words=frozenset(words),
        fragments=tuple(sorted({f for table in cls.fragments for f in table})),
    )


__all__ = ["FileScan", "Needs", "needs_of", "nfkc", "scan_imports", "word", "words_of"]

"""Open documents: their analyses, computed from the buffer, never from the disk.

While a document is open its buffer overrides the file: ``analyse_buffer`` extracts and checks
the buffer's text (a pure function of the text, run off the loop by the scheduler), and the
server publishes that instead of what the store holds for the file. Closing the document hands
the file back to the store.

A buffer of ``LARGE_BUFFER`` characters or more is analysed in the worker process
(``analyse_in_worker``): extracting megabytes takes seconds of interpreter time that would
otherwise slow every other request down. Only the findings and the parse status come back.

A buffer that does not parse keeps the findings of its last analysis that did (``last_good``)
and adds one AUD001 for the syntax error (``visible``), so the squiggles do not all vanish at the
first unfinished line. The last good facts also stand in the store for the file's
(``engine.FolderEngine.set_buffers``), so that the workspace rules see the buffer too.
"""

from __future__ import annotations

import codecs
import dataclasses
import io
import tokenize
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from auditls.extractors import extract, module_name_for
from auditls.extractors.reparse import Reparser
from auditls.facts import FileFacts
from auditls.facts.core import SuppressionFact
from auditls.index.workers import content_hash
from auditls.rules import check_facts
from auditls.rules.runner import EVERY_RULE, FILE_RULE_EXTRACTORS
from auditls.server.convert import Prepared
from auditls.server.findings import prepare_findings

#: Characters from which a buffer is analysed in a worker process.
LARGE_BUFFER = 1_000_000
#: Characters from which a buffer's findings are shown from a first, quicker extraction
#: (``analyse_buffer(..., quick=True)``, a third sooner) before the full one: about 200 lines,
#: where the full analysis passes 10 ms. A third of the files of the benchmark corpus; the
#: save -> diagnostics p95 there is set by files of 10-25 KB (it was 20,000, about 500 lines,
#: and the p95 42-54 ms against the 50 ms target: BENCHMARKS.md, sixth session).
QUICK_FIRST = 8_000


@dataclass(frozen=True, slots=True)
class Analysis:
    """One analysis of one version of a buffer."""

    version: int  # the document version analysed
    facts: FileFacts  # what extraction saw (status "ok" or "syntax_error")
    prepared: tuple[Prepared, ...]  # every finding of every rule, for the client
    text: str = ""  # the buffer analysed ("" for a large buffer: not sent back)
    hash: str = ""  # ``content_hash`` of the bytes extracted (as the indexer hashes a file)
    complete: bool = True  # every extractor ran (False: ``analyse_buffer(..., quick=True)``)

    @property
    def parses(self) -> bool:
        return self.facts.status == "ok"


def buffer_bytes(text: str) -> bytes:
    """The bytes a buffer would have on disk: encoded as its PEP 263 declaration says (so that
    extraction decodes it back to the same text), UTF-8 otherwise."""
    data = text.encode("utf-8", "surrogatepass")
    if "coding" not in text[:400]:
        return data
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        if codecs.lookup(encoding).name != "utf-8":
            return text.encode(encoding)
    except (SyntaxError, LookupError, UnicodeError):
        pass
    return data


def analyse_buffer(
    text: str,
    *,
    version: int,
    rel: str,
    module: str | None,
    encoding: str,
    root: Path,
    uri_of: Callable[[str], str],
    test_code: str = "demote",
    quick: bool = False,
    reparser: Reparser | None = None,
) -> Analysis:
    """Extract and check a buffer: every rule (the settings filter when publishing), with the
    folder's ``test-code`` setting, as ``auditls check`` would check the file.

    ``quick``: only the extractors the file rules read (``FILE_RULE_EXTRACTORS``): the same
    findings a third sooner, and facts too few for hover or the workspace rules (``complete``
    is False). ``reparser``: the analysis thread's (``extractors.reparse``)."""
    data = buffer_bytes(text)
    only = FILE_RULE_EXTRACTORS if quick else None
    facts = extract(data, rel, module=module, only=only, reparser=reparser)
    findings = check_facts(facts, select=EVERY_RULE, test_code=test_code)
    suppressions = facts.of(SuppressionFact)
    prepared = prepare_findings(findings, suppressions, text, encoding, uri_of, root)
    return Analysis(version, facts, tuple(prepared), text, content_hash(data), complete=not quick)


def analyse_in_worker(
    text: str,
    *,
    version: int,
    rel: str,
    module_of: tuple[Path, Path] | None,
    encoding: str,
    root: Path,
    uri_of: Callable[[str], str],
    test_code: str = "demote",
) -> Analysis:
    """``analyse_buffer`` for a large buffer, in the worker process: ``module_of`` is the
    ``(path, root)`` the module name is worked out from there. Only the findings and the parse
    status come back: the facts of a 6 MB buffer take seconds to unpickle, holding the server's
    interpreter all along, so hover on a large buffer shows its findings, not its facts."""
    module = module_name_for(*module_of) if module_of is not None else None
    analysis = analyse_buffer(
        text,
        version=version,
        rel=rel,
        module=module,
        encoding=encoding,
        root=root,
        uri_of=uri_of,
        test_code=test_code,
    )
    facts = dataclasses.replace(analysis.facts, facts=[], extractor_errors=[])
    return Analysis(analysis.version, facts, analysis.prepared)


@dataclass(slots=True)
class OpenDocument:
    """What the server knows of one open document."""

    uri: str
    path: Path | None  # on disk, when the URI is a file
    version: int = 0
    excluded: bool = False  # excluded from the workspace's analysis: shows nothing
    large: bool = False  # the buffer is analysed in a worker process (``LARGE_BUFFER``)
    progress: bool = False  # a work-done progress shows its analysis
    current: Analysis | None = None  # the latest analysis delivered
    last_good: Analysis | None = None  # the latest analysis of a buffer that parsed
    last_complete: Analysis | None = None  # the latest of those with every extractor's facts
    history: list[int] = field(default_factory=list)  # versions delivered (for tests/status)
    #: The full analysis of the current buffer, when a quick one is shown first (``QUICK_FIRST``).
    completion: Callable[[], Analysis] | None = None

    def accept(self, analysis: Analysis) -> None:
        self.current = analysis
        if analysis.parses:
            self.last_good = analysis
            if analysis.complete:
                self.last_complete = analysis
        if not self.history or self.history[-1] != analysis.version:
            self.history.append(analysis.version)  # a quick analysis, then the full one: once
        del self.history[:-8]

    def visible(self) -> list[Prepared]:
        """The findings to show: the current ones, or while the buffer does not parse, the last
        good ones and the syntax error."""
        current = self.current
        if current is None:
            return []
        if current.parses or self.last_good is None:
            return list(current.prepared)
        return list(self.last_good.prepared) + list(current.prepared)

    @property
    def facts(self) -> FileFacts | None:
        """The facts of the latest buffer that parsed (hover looks things up here); while a
        quick analysis stands, those of the one before it."""
        if self.last_complete is not None:
            return self.last_complete.facts
        if self.last_good is not None:
            return self.last_good.facts
        return self.current.facts if self.current is not None else None

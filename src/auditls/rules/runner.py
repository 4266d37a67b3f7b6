"""Running the rules: one runner for file rules and workspace rules, and ``analyse()``.

``analyse(store, ...)`` is the one analysis entry point; the CLI formats its ``Report``, the
fixture runner compares it with the expectations, the server publishes it. Over an indexed store:

1. **Select** the rules: ``select`` / ``ignore`` take codes or prefixes; the longest matching
   entry wins, ``ignore`` on a tie; AUD001 and AUD003 are reported unless ignored, so a file
   that does not parse, or was skipped or unreadable, never looks clean (:func:`is_selected`).
2. **File rules**, per file in scope: the file's facts are indexed once (``FactIndex``: calls by
   resolved callee, arguments by call...), so a check costs a dict lookup in a file that never
   calls what it looks for; every selected file rule's check runs over it (:func:`check_facts`).
3. **Workspace rules**: the checks read a ``Workspace`` (the whole store and the cross-file models
   built on it, lazily); findings outside the scopes are dropped, but every file is *read*, so a
   route in scope sees the factory out of scope (:func:`check_workspace`).
4. **Suppress**: a finding goes when a comment of its own file hides it (:class:`Suppressions`:
   its line, the first line of its statement, or ``ignore-file``); a malformed comment, or one
   naming an unknown code, hides nothing (AUD002 reports it).
5. **Override** severities (the longest matching code prefix wins), then **test code**: a
   finding in a test file (``knowledge.heuristics.TEST_FILE``) is lowered to info / low
   confidence (``test_code="demote"``, the default), kept (``"report"``) or dropped
   (``"skip"``); then **sort** by path and position.
6. **One problem, one finding**: where a taint path (AUD5xx) ends at the call a pattern rule
   (AUD1xx) also reports, only the taint finding stays: it names the source and every step
   (:func:`one_finding_per_problem`; the server applies it to what it publishes too). And a
   pattern finding at a call whose dangerous argument the taint engine *showed clean* (built
   only from literals, sanitizers and allowlisted values) drops to low confidence
   (:func:`lowered_where_clean`; ``auditls check`` only, when the taint rules are selected).

With a ``FindingsCache`` (``rules/cache.py``; ``auditls check`` passes one), steps 2 and 3 are
skipped where their inputs did not change: a file whose state is the cached one is not read,
the workspace rules do not run when no file changed, and a workspace rule whose parts of the
workspace (the models it read, the taint engine) are as they were does not run after an edit.
The cache holds every file rule's findings unrated, so steps 1 and 5 apply to them here as to
fresh ones.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar, cast

from auditls.config import TEST_CODE_POLICIES
from auditls.facts import FileFacts
from auditls.facts.core import FILE_STYLE, SuppressionFact
from auditls.knowledge.heuristics import TEST_FILE
from auditls.rules.findings import Finding
from auditls.rules.index import FactIndex
from auditls.rules.model import SEVERITIES, Rule
from auditls.rules.registry import RULES, file_rules, workspace_rules
from auditls.rules.workspace import Watched, Workspace, read_parts

if TYPE_CHECKING:
    from auditls.knowledge.taint import Models
    from auditls.rules.cache import FindingsCache, Inputs
    from auditls.store import Store

SYNTAX_ERROR = "AUD001"
#: Codes reported unless ignored, whatever ``select`` says: a file that does not parse
#: (AUD001) or was not analysed (AUD003) must never look clean.
ALWAYS_SELECTED = frozenset({SYNTAX_ERROR, "AUD003"})
#: Pattern rules over dangerous calls, and the taint rules that may report the same call.
PATTERN_PREFIX = "AUD1"
TAINT_PREFIX = "AUD5"

T = TypeVar("T")

# -- selection and overrides -------------------------------------------------------------------


def _longest_match(code: str, entries: Iterable[str]) -> int:
    """Length of the longest entry that is a prefix of ``code`` ("ALL" matches with 0); -1 if
    none matches."""
    best = -1
    for entry in entries:
        if entry == "ALL":
            best = max(best, 0)
        elif code.startswith(entry):
            best = max(best, len(entry))
    return best


def is_selected(code: str, select: Iterable[str] | None, ignore: Iterable[str]) -> bool:
    """Whether ``code`` passes ``select`` (None: every rule) and ``ignore``: the longest
    matching entry decides, ``ignore`` winning a tie. AUD001 and AUD003 pass unless ignored."""
    ignored = _longest_match(code, ignore)
    if select is None or code in ALWAYS_SELECTED:
        return ignored < 0
    selected = _longest_match(code, select)
    return selected >= 0 and selected > ignored


#: A selection of every rule, those off by default included (what caches keep; the selection
#: in force filters them when they are shown).
EVERY_RULE = ("ALL",)

#: The extractors whose facts the file rules read (``check_facts``), with those extractors
#: read in turn while they extract (``security.values`` decides the confidence of
#: ``security.dangerous_calls``). The editor extracts a large buffer with these first
#: (``extract(..., only=...)``: a third less work) to show its findings sooner, then with every
#: extractor for hover and the workspace rules, and shows the findings of that if they differ.
#: ``tests/test_file_rule_extractors.py`` checks on every fixture that these give every file
#: rule's findings.
FILE_RULE_EXTRACTORS: frozenset[str] = frozenset(
    {
        "concurrency.asyncfns",
        "core.assignments",
        "core.calls",
        "core.classes",
        "core.imports",
        "security.access_asserts",
        "security.crypto",
        "security.dangerous_calls",
        "security.eval_exec",
        "security.file_operations",
        "security.jwt",
        "security.password_hashing",
        "security.secrets",
        "security.source_text",
        "security.sql",
        "security.subprocess",
        "security.values",
    }
)


def names_explicitly(code: str, select: Iterable[str] | None) -> bool:
    """Whether a selection names a rule that is off by default: ``ALL``, or an entry at least
    as long as its family (``AUD9``, ``AUD90``, ``AUD901``; not ``AUD``)."""
    return select is not None and any(
        e == "ALL" or (len(e) >= len("AUD9") and code.startswith(e)) for e in select
    )


def unknown_selectors(entries: Iterable[str]) -> list[str]:
    """The entries of a select/ignore list that match no rule code (for a usage error)."""
    return [e for e in entries if e != "ALL" and not any(c.startswith(e) for c in RULES)]


def severity_override(code: str, overrides: Mapping[str, str]) -> str | None:
    """The severity ``overrides`` give ``code`` (the longest matching code prefix wins), or
    None when no key matches."""
    best, severity = -1, None
    for key, value in overrides.items():
        if code.startswith(key) and len(key) > best:
            best, severity = len(key), value
    return severity


@dataclass(frozen=True, slots=True)
class Selection:
    """Which rules run and how severe their findings are (``[tool.auditls]`` and the CLI)."""

    select: tuple[str, ...] | None = None  # codes or prefixes; None: every rule
    ignore: tuple[str, ...] = ()
    overrides: Mapping[str, str] = field(default_factory=dict)  # code prefix -> severity
    test_code: str = "demote"  # findings in test files: demote | report | skip

    @classmethod
    def of(
        cls,
        select: Iterable[str] | None = None,
        ignore: Iterable[str] = (),
        severity_overrides: Mapping[str, str] | None = None,
        test_code: str = "demote",
    ) -> Selection:
        """A selection; an override to something other than error, warning or info, or an
        unknown test-code policy, is a ValueError."""
        overrides = dict(severity_overrides or {})
        for key, value in overrides.items():
            if value not in SEVERITIES:
                raise ValueError(
                    f"severity override {key}={value!r}: expected one of {', '.join(SEVERITIES)}"
                )
        if test_code not in TEST_CODE_POLICIES:
            raise ValueError(f"test_code={test_code!r}: expected one of {TEST_CODE_POLICIES}")
        return cls(None if select is None else tuple(select), tuple(ignore), overrides, test_code)

    def rules(self, rules: Iterable[Rule]) -> list[Rule]:
        return [
            r
            for r in rules
            if is_selected(r.code, self.select, self.ignore)
            and (r.default or names_explicitly(r.code, self.select))
        ]

    def kept(self, finding: Finding) -> bool:
        """False for a finding in test code when test code is skipped."""
        return self.test_code != "skip" or not TEST_FILE(finding.path)

    def rated(self, finding: Finding) -> Finding:
        severity = severity_override(finding.rule, self.overrides)
        if severity is not None and severity != finding.severity:
            finding = dataclasses.replace(finding, severity=severity)
        demoted = self.test_code == "demote" and finding.rule != SYNTAX_ERROR
        if (
            demoted
            and (finding.severity, finding.confidence) != ("info", "low")
            and TEST_FILE(finding.path)
        ):
            finding = dataclasses.replace(finding, severity="info", confidence="low")
        return finding


# -- suppression -------------------------------------------------------------------------------


class Suppressions:
    """The suppression comments of one file, as the findings they hide."""

    def __init__(self, comments: Iterable[SuppressionFact]) -> None:
        self.by_line: dict[int, list[tuple[str, ...]]] = defaultdict(list)
        self.by_file: set[str] = set()
        for sup in comments:
            # A malformed comment, or one naming an unknown code, suppresses nothing (AUD002).
            if sup.malformed is not None or not all(code in RULES for code in sup.codes):
                continue
            if sup.style == FILE_STYLE:
                self.by_file.update(sup.codes)
            else:
                self.by_line[sup.line].append(sup.codes)

    def hides(self, finding: Finding) -> bool:
        if finding.rule in self.by_file:
            return True
        for line in {finding.line, finding.stmt_line}:
            for codes in self.by_line.get(line, ()):
                if not codes or finding.rule in codes:
                    return True
        return False


# -- the runner --------------------------------------------------------------------------------


def check_facts(
    ff: FileFacts,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = frozenset(),
    severity_overrides: Mapping[str, str] | None = None,
    test_code: str = "demote",
) -> list[Finding]:
    """Steps 2, 4 and 5 for one file: every finding of every selected file rule, unsuppressed,
    sorted by position."""
    selection = Selection.of(select, ignore, severity_overrides, test_code)
    index = FactIndex(ff)
    hidden = Suppressions(index.suppressions)
    findings = [
        selection.rated(finding)
        for r in selection.rules(file_rules())
        for finding in r.check(index)
        if not hidden.hides(finding) and selection.kept(finding)
    ]
    findings.sort(key=lambda f: f.sort_key)
    return findings


def _in_scope(path: str, scopes: Sequence[str] | None) -> bool:
    if scopes is None:
        return True
    return any(not s or path == s or path.startswith(s + "/") for s in scopes)


def check_workspace(
    source: Store | Sequence[FileFacts] | Workspace,
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = frozenset(),
    severity_overrides: Mapping[str, str] | None = None,
    scopes: Sequence[str] | None = None,
    taint_models: Models | None = None,
    test_code: str = "demote",
    pause: Callable[[], object] | None = None,
    run: Callable[[Rule, Workspace], Iterable[Finding]] | None = None,
) -> list[Finding]:
    """Steps 3 to 5: every finding of every selected workspace rule, unsuppressed, sorted by
    path and position. ``scopes``: workspace-relative paths (files or directories, "" for all)
    whose findings are kept; None keeps every finding. ``pause()`` is called before each rule
    (the language server's store thread steps aside there while an open buffer is analysed).
    ``run(rule, workspace)``: a rule's findings, in place of its check (the findings cache)."""
    selection = Selection.of(select, ignore, severity_overrides, test_code)
    rules = selection.rules(workspace_rules())
    if not rules:
        return []  # a run whose selection leaves no workspace rule builds no model
    workspace = source if isinstance(source, Workspace) else Workspace(source, taint_models)
    found: list[Finding] = []
    seen: set[tuple[str, int, int, str, str]] = set()
    for r in rules:
        if pause is not None:
            pause()
        for finding in r.check(workspace) if run is None else run(r, workspace):
            identity = (finding.path, finding.line, finding.column, finding.rule, finding.message)
            if identity not in seen and _in_scope(finding.path, scopes):
                seen.add(identity)
                found.append(finding)
    comments = workspace.suppressions({f.path for f in found})
    hidden = {path: Suppressions(facts) for path, facts in comments.items()}
    empty = Suppressions(())
    findings = [
        selection.rated(f)
        for f in found
        if not hidden.get(f.path, empty).hides(f) and selection.kept(f)
    ]
    findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    return findings


def workspace_codes() -> frozenset[str]:
    """The codes of the rules that run as workspace checks."""
    return frozenset(r.code for r in workspace_rules())


@dataclass(frozen=True, slots=True)
class Problem:
    """A file auditls could not fully analyse: an extractor that failed on it."""

    path: str
    kind: str  # "extractor_error"
    message: str


@dataclass(slots=True)
class Report:
    """What ``analyse`` found: findings sorted by path and position, and the problems."""

    findings: list[Finding] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0  # files in scope (parsed, or reported as AUD001 or AUD003)


#: Store statuses of the files the rules see: parsed, with a syntax error, or recorded without
#: facts (skipped or unreadable: AUD003 reports them).
_ANALYSED = ("ok", "syntax_error", "skipped", "error")


def _paths_in(source: Store | Sequence[FileFacts], scopes: Sequence[str] | None) -> list[str]:
    """The files in scope: parsed, with a syntax error, or recorded without facts."""
    if isinstance(source, Sequence):
        return [ff.path for ff in source if _in_scope(ff.path, scopes)]
    # The files' states (kept per revision by the store): no file row decoded.
    states = source.file_states()
    return [
        path for path in sorted(states) if _in_scope(path, scopes) and states[path][1] in _ANALYSED
    ]


def _loader(source: Store | Sequence[FileFacts]) -> Callable[[str], FileFacts | None]:
    """A file's facts by path; a file never read (skipped or unreadable) has facts with its
    status and no rows, so that the file rules still see it (AUD003)."""
    if isinstance(source, Sequence):
        return {ff.path: ff for ff in source}.get
    unread = {
        path: FileFacts(path=path, module="", status=status, error=error)
        for path, (_, status, _, _, error) in source.file_states().items()
        if status in ("skipped", "error")
    }
    store = source

    def load(path: str) -> FileFacts | None:
        return unread[path] if path in unread else store.file_facts(path)

    return load


#: ``on_progress(stage, done, total)``: stage "files" (file rules, per file) or "workspace".
RulesProgress = Callable[[str, int, int], None]


def analyse(
    source: Store | Sequence[FileFacts],
    *,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] = frozenset(),
    severity_overrides: Mapping[str, str] | None = None,
    scopes: Sequence[str] | None = None,
    taint_models: Models | None = None,
    test_code: str = "demote",
    cache: FindingsCache | None = None,
    on_progress: RulesProgress | None = None,
) -> Report:
    """Steps 1 to 6 over an indexed store (or files extracted in memory): the file rules of the
    files in ``scopes`` (all when None), then the workspace rules over every file, findings kept
    in ``scopes``. With a ``cache`` (``rules.cache``; a store only), a file whose state has not
    changed is not read again, and the workspace rules do not run again when no file changed;
    the report is the same as without it."""
    report = Report()
    selection = Selection.of(select, ignore, severity_overrides, test_code)
    select = selection.select
    ignore = selection.ignore
    workspace = Workspace(source, taint_models)
    states: Mapping[str, tuple[object, ...]] | None = None
    if cache is not None and not isinstance(source, Sequence):
        states = source.file_states()
    else:
        cache = None
    paths = _paths_in(source, scopes)
    facts_of = _loader(source)
    selected_file_rules = {r.code for r in selection.rules(file_rules())}
    for done, path in enumerate(paths, 1):
        if on_progress is not None:
            on_progress("files", done, len(paths))
        report.files += 1
        state = states.get(path) if states is not None else None
        entry = cache.file(path, state) if cache is not None else None
        if entry is not None:
            errors, found = entry.errors, entry.findings
        else:
            ff = facts_of(path)
            if ff is None:
                continue
            errors = list(ff.extractor_errors)
            if cache is None:
                report.problems += [Problem(path, "extractor_error", e) for e in errors]
                report.findings += check_facts(
                    ff,
                    select=select,
                    ignore=ignore,
                    severity_overrides=severity_overrides,
                    test_code=test_code,
                )
                continue
            found = check_facts(ff, select=EVERY_RULE, test_code="report")  # not yet rated
            cache.put_file(path, state, found, errors)
        report.problems += [Problem(path, "extractor_error", e) for e in errors]
        report.findings += [
            selection.rated(f) for f in found if f.rule in selected_file_rules and selection.kept(f)
        ]
    if on_progress is not None:
        on_progress("workspace", 0, 1)
    taint_on = any(
        is_selected(r.code, select, ignore)
        for r in RULES.values()
        if r.code.startswith(TAINT_PREFIX)
    )
    clean_sites: Container[tuple[str, int, int]] | None = None
    if cache is None:
        report.findings += check_workspace(
            workspace,
            select=select,
            ignore=ignore,
            severity_overrides=severity_overrides,
            scopes=scopes,
            test_code=test_code,
        )
    else:
        assert states is not None  # a cache comes with the store's states
        cache.forget_missing(states)
        key = cache.workspace_key(states, select, ignore, taint_models)
        cached = cache.workspace_findings(key)
        if cached is None:
            from auditls.rules.cache import Inputs

            assert not isinstance(source, Sequence)
            inputs = Inputs(source, states, taint_models)
            found = check_workspace(
                workspace,
                select=select,
                ignore=ignore,
                test_code="report",
                run=_cached_rule(cache, inputs),
            )
            clean = None
            if taint_on:
                clean = cache.clean_sites(inputs) if "taint" not in vars(workspace) else None
                if clean is None:
                    clean = set(workspace.taint.clean_sites)
                    cache.put_clean_sites(inputs, clean)
            cache.put_workspace(key, found, clean)
        else:
            found, clean = cached.findings, cached.clean_sites
        clean_sites = clean
        report.findings += [
            selection.rated(f) for f in found if _in_scope(f.path, scopes) and selection.kept(f)
        ]
    if on_progress is not None:
        on_progress("workspace", 1, 1)
    report.findings = one_finding_per_problem(report.findings, lambda f: f)
    if taint_on and any(f.rule.startswith(PATTERN_PREFIX) for f in report.findings):
        if clean_sites is None:
            clean_sites = workspace.taint.clean_sites
        report.findings = lowered_where_clean(report.findings, clean_sites)
    report.findings.sort(key=lambda f: (f.path, f.line, f.column, f.rule))
    return report


def _cached_rule(
    cache: FindingsCache, inputs: Inputs
) -> Callable[[Rule, Workspace], list[Finding]]:
    """A workspace rule's findings from the cache while every part of the workspace it read
    last time is as it was (``Inputs``); else its check runs, watched (``Watched``), and
    what it found is kept under the parts it read."""

    def run(rule: Rule, workspace: Workspace) -> list[Finding]:
        cached = cache.rule_findings(rule.code, inputs)
        if cached is not None:
            return cached
        watched = Watched(workspace)
        found: list[Finding] = []
        seen: set[tuple[str, int, int, str]] = set()
        for finding in rule.check(cast(Workspace, watched)):
            identity = (finding.path, finding.line, finding.column, finding.message)
            if identity not in seen:
                seen.add(identity)
                found.append(finding)
        cache.put_rule(rule.code, {p: inputs[p] for p in sorted(read_parts(watched.read))}, found)
        return found

    return run


def lowered_where_clean(
    findings: Iterable[Finding], clean_sites: Container[tuple[str, int, int]]
) -> list[Finding]:
    """Step 6: a pattern finding at a call whose dangerous argument was shown clean is low."""
    return [
        dataclasses.replace(f, confidence="low")
        if f.rule.startswith(PATTERN_PREFIX) and (f.path, f.line, f.column) in clean_sites
        else f
        for f in findings
    ]


def one_finding_per_problem(items: Iterable[T], finding_of: Callable[[T], Finding]) -> list[T]:
    """Step 6: drop each pattern finding (AUD1xx) at a site where a taint path (AUD5xx) ends."""
    kept = list(items)
    sites = {
        (f.path, f.line, f.column) for f in map(finding_of, kept) if f.rule.startswith(TAINT_PREFIX)
    }
    if not sites:
        return kept
    return [
        item
        for item in kept
        if not (
            (f := finding_of(item)).rule.startswith(PATTERN_PREFIX)
            and (f.path, f.line, f.column) in sites
        )
    ]

"""The command line: ``auditls index / check / facts / rules / serve``.

Exit codes: 0 nothing found, 1 findings, 2 usage error, bad configuration or internal error.
Expected problems (a missing path, a bad ``[tool.auditls]`` table, an unwritable output file)
get one line on stderr and exit 2, never a traceback. An unexpected exception is reported the
same way; ``AUDITLS_DEBUG=1`` adds the traceback.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from auditls import __version__, isolation
from auditls.config import (
    Config,
    ConfigError,
    UnreadableFile,
    load_config,
    parse_codes,
    read_workspace_file,
)
from auditls.store import StoreError

if TYPE_CHECKING:
    from auditls.index.report import IndexNote
    from auditls.store import Store

T = TypeVar("T")

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2

#: The largest file ``auditls facts`` reads.
FACTS_FILE_CAP = 64 << 20

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2087


class UsageError(Exception):
    """A problem with what the user asked for; printed as one line, exit 2."""


# --------------------------------------------------------------------------------------------
# Paths


def find_root(path: Path) -> Path:
    """The workspace root: the nearest directory, from ``path`` up, holding a pyproject.toml or
    a .git; else the directory of ``path`` itself."""
    start = path if path.is_dir() else path.parent
    for directory in (start, *start.parents):
        if (directory / "pyproject.toml").is_file() or (directory / ".git").exists():
            return directory
    return start


def _existing(raw: str) -> Path:
    path = Path(raw)
    try:
        exists = path.exists()
    except OSError as exc:
        raise UsageError(f"{raw}: {exc.strerror or exc}") from None
    if not exists:
        raise UsageError(f"{raw}: no such file or directory")
    return path.resolve()


def _workspace(raw_paths: Sequence[str]) -> tuple[Path, list[Path]]:
    """Resolve the paths given; the root comes from the first, and holds all of them."""
    paths = [_existing(raw) for raw in raw_paths or ["."]]
    root = find_root(paths[0])
    isolation.verify([str(root)])  # nothing from the workspace was imported (see auditls.isolation)
    for raw, path in zip(raw_paths or ["."], paths, strict=True):
        if path != root and root not in path.parents:
            raise UsageError(
                f"{raw}: outside the workspace {root} (the root is found from the first path; "
                "check other projects in separate runs)"
            )
    return root, paths


#: Suffixes that are Python source whatever their bytes (a NUL byte there is AUD001).
_PYTHON_SUFFIXES = (".py", ".pyi", ".pyw")


def _refuse_binary(raw_paths: Sequence[str], paths: Sequence[Path]) -> None:
    """A file named explicitly that is not Python source (no Python suffix, a NUL byte in its
    first 8 KiB, as git and grep tell binary files) is a usage error, not a syntax error."""
    for raw, path in zip(raw_paths, paths, strict=False):
        if path.suffix in _PYTHON_SUFFIXES or not path.is_file():
            continue
        try:
            with path.open("rb") as stream:
                head = stream.read(8192)
        except OSError:
            continue  # the indexer reports what it cannot read
        if b"\0" in head:
            raise UsageError(f"{raw}: not a Python source file (binary content)")


def _not_excluded(
    root: Path, config: Config, raw_paths: list[str], paths: list[Path]
) -> tuple[list[str], list[Path]]:
    """``--force-exclude``: the paths named on the command line that a walk of the workspace
    would not skip (``[tool.auditls] exclude``, ``.gitignore``, the default excludes), as
    pre-commit needs, since it names every changed file explicitly."""
    from auditls.index import is_excluded

    kept = [
        (raw, path)
        for raw, path in zip(raw_paths, paths, strict=True)
        if path == root or not is_excluded(root, config, path.relative_to(root).as_posix())
    ]
    return [raw for raw, _ in kept], [path for _, path in kept]


def _nothing_to_check(args: argparse.Namespace, root: Path, config: Config) -> int:
    """Every path given is excluded (``--force-exclude``): an empty report, exit 0."""
    from auditls.report import render

    if not args.quiet:
        print(
            "auditls: every path given is excluded (--force-exclude): nothing to check",
            file=sys.stderr,
        )
    report = render(
        args.format,
        [],
        [],
        files=0,
        root=root,
        severity_overrides=config.severity_overrides,
        cwd=_cwd(),
    )
    _emit(report, args.output)
    return EXIT_OK


def _rel(root: Path, path: Path) -> str:
    """``path`` relative to ``root`` as the store names it (escaped, see ``auditls.facts``)."""
    from auditls.facts import escape_path

    rel = path.relative_to(root).as_posix()
    return "" if rel == "." else escape_path(rel)


# --------------------------------------------------------------------------------------------
# Output


def _open_output(target: str | None) -> TextIO:
    if target is None or target == "-":
        # A terminal or pipe that cannot encode some text (PYTHONIOENCODING=ascii) gets it
        # escaped rather than a crash that loses the whole report.
        if isinstance(sys.stdout, io.TextIOWrapper):
            sys.stdout.reconfigure(errors="backslashreplace")
        return sys.stdout
    try:
        return open(target, "w", encoding="utf-8", newline="\n")
    except OSError as exc:
        raise UsageError(f"--output {target}: cannot write: {exc.strerror or exc}") from None


def _emit(text: str, target: str | None) -> None:
    out = _open_output(target)
    try:
        out.write(text)
        out.flush()
    finally:
        if out is not sys.stdout:
            out.close()


# --------------------------------------------------------------------------------------------
# Commands


def _selection(config: Config, args: argparse.Namespace) -> tuple[list[str] | None, list[str]]:
    """select/ignore: ``--select`` replaces the configured select, ``--ignore`` adds to it."""
    from auditls.rules import unknown_selectors

    select = sorted(config.select) if config.select is not None else None
    ignore = set(config.ignore)
    if args.select is not None:
        select = sorted(parse_codes(args.select))
    if args.ignore is not None:
        ignore |= parse_codes(args.ignore)
    overrides = set(config.severity_overrides)
    for what, entries in (("select", select or []), ("ignore", ignore), ("severity", overrides)):
        unknown = unknown_selectors(entries)
        if unknown:
            raise ConfigError(
                f"{what}: {', '.join(sorted(unknown))} matches no rule (`auditls rules` lists them)"
            )
    return select, sorted(ignore)


def _cwd() -> Path | None:
    try:
        return Path.cwd().resolve()
    except OSError:  # the current directory was removed: show workspace paths
        return None


def cmd_check(args: argparse.Namespace) -> int:
    from auditls.index import IndexReport, index_workspace
    from auditls.knowledge.taint import with_user_models
    from auditls.report import render
    from auditls.report.baseline import BaselineError, new_findings, read_baseline, write_baseline
    from auditls.report.progress import Progress
    from auditls.rules import Problem, Report, analyse
    from auditls.rules.cache import FindingsCache
    from auditls.taint import save_state

    # What is imported lives as long as the process: out of the collector's generations, so
    # that the full collections the run's allocations trigger (reading the taint state, the
    # index's rows) do not walk it each time (about 0.4 s of a one-file warm check on
    # Django's tree).
    gc.freeze()
    root, paths = _workspace(args.paths)
    config = load_config(root)
    raw_paths = list(args.paths)
    if args.force_exclude and raw_paths:
        raw_paths, paths = _not_excluded(root, config, raw_paths, paths)
        if not paths:
            return _nothing_to_check(args, root, config)
    _refuse_binary(raw_paths, paths)
    select, ignore = _selection(config, args)
    scopes = [_rel(root, p) for p in paths]
    baseline_path = _baseline_path(args, config, root)
    try:
        baseline = read_baseline(baseline_path) if baseline_path is not None else None
    except BaselineError as exc:
        raise UsageError(str(exc)) from None
    progress = Progress.choose(sys.stderr, quiet=args.quiet)

    def run(store: Store) -> tuple[IndexReport, Report, FindingsCache]:
        cache = FindingsCache.load_beside(store)
        with progress:
            report = index_workspace(
                root,
                store,
                config,
                jobs=args.jobs,
                paths=paths,
                progress=False,
                on_progress=progress.index,
            )
            store.shrink_cache()  # the rules read file by file: no need for the index's cache
            analysis = analyse(
                store,
                select=select,
                ignore=ignore,
                severity_overrides=config.severity_overrides,
                scopes=scopes,
                taint_models=with_user_models(config.taint),
                test_code=config.test_code,
                cache=cache,
                on_progress=progress.rules,
            )
        save_state(store)  # the next check re-interprets only what changed since
        cache.save_beside(store)  # ... and re-checks only the files that changed
        return report, analysis, cache

    report, analysis, cache = _with_store(root, run)
    findings, files = analysis.findings, analysis.files
    if args.write_baseline is not None:
        try:
            write_baseline(Path(args.write_baseline), findings, root)
        except BaselineError as exc:
            raise UsageError(str(exc)) from None
    absorbed = 0
    if baseline is not None:
        findings, absorbed = new_findings(findings, baseline, root)
    # Extractor failures come from the store (analyse), so that every run reports them, not
    # only the run that extracted the file; skips and read errors are re-checked every run.
    # A skipped or unreadable file is also a finding (AUD003), so that it counts.
    problems = [
        Problem(note.path, note.kind, note.message)
        for note in report.notes
        if note.kind != "extractor_error"
    ] + analysis.problems
    problems.sort(key=lambda p: (p.path, p.kind, p.message))
    text = render(
        args.format,
        findings,
        problems,
        files=files,
        root=root,
        severity_overrides=config.severity_overrides,
        cwd=_cwd(),
    )
    _emit(text, args.output)
    progress.summary(
        report,
        findings=len(findings),
        files=files,
        cached_files=cache.reused_files,
        cached_workspace=cache.reused_workspace,
        cached_rules=cache.reused_rules,
        output=args.output,
        baseline=absorbed,
    )
    if report.failed:
        return _failed(report.failed)
    return EXIT_FINDINGS if findings else EXIT_OK


def _baseline_path(args: argparse.Namespace, config: Config, root: Path) -> Path | None:
    """The baseline to compare with: ``--baseline`` (relative to the current directory), else
    ``[tool.auditls] baseline`` (relative to the workspace root); none while writing one or
    with ``--no-baseline``."""
    if args.write_baseline is not None or args.no_baseline:
        return None
    if args.baseline is not None:
        return Path(args.baseline)
    if config.baseline is not None:
        return root / config.baseline
    return None


def _with_store(root: Path, run: Callable[[Store], T]) -> T:
    """``run(store)`` on the workspace's store, saying on stderr why its snapshot was not used
    or not written. A snapshot whose content cannot be read back (it passed its checks, yet a
    row does not decode) is set aside and the run starts again from an empty store, once."""
    from auditls.index import IndexReport
    from auditls.store import Store

    persist = True
    for attempt in (1, 2):
        store = Store.open(root, persist=persist, beside=True)
        if store.load_note not in ("loaded", "no snapshot", "not persistent"):
            print(f"auditls: {store.load_note}; rebuilding the index", file=sys.stderr)
        try:
            result = run(store)
        except (StoreError, ValueError, KeyError, TypeError) as exc:
            if store.rebuilt or attempt == 2:
                raise
            aside = store.set_aside()
            # Not set aside (another auditls is writing): rebuild in memory, never reload it.
            persist = aside is not None
            where = f" (set aside as {aside.name})" if aside is not None else ""
            then = "rebuilding the index" if persist else "rebuilding the index in memory only"
            print(
                f"auditls: the snapshot {store.snapshot_path} could not be read back "
                f"({type(exc).__name__}: {exc}){where}; {then}",
                file=sys.stderr,
            )
            continue
        finally:
            store.close()
            if _lingering is not None:
                _lingering.append(store)  # with its taint engine (``taint._ENGINES``)
        for part in result if isinstance(result, tuple) else (result,):
            if isinstance(part, IndexReport):
                for note in part.store_notes:
                    print(f"auditls: {note}", file=sys.stderr)
        return result
    raise AssertionError("unreachable")  # pragma: no cover


def _failed(failed: Sequence[IndexNote]) -> int:
    """A file whose facts the store refused lost its findings: the run fails, saying which."""
    for note in failed:
        print(f"auditls: error: {note.path}: {note.message}", file=sys.stderr)
    print(
        f"auditls: error: {len(failed)} file(s) could not be stored, so their findings are "
        "missing from this report",
        file=sys.stderr,
    )
    return EXIT_ERROR


def cmd_index(args: argparse.Namespace) -> int:
    from auditls.index import IndexReport, index_workspace

    root, paths = _workspace([args.path] if args.path else [])
    config = load_config(root)

    def run(store: Store) -> tuple[IndexReport, Path, dict[str, int]]:
        report = index_workspace(root, store, config, jobs=args.jobs, paths=paths)
        return report, store.snapshot_path, store.fact_counts()

    report, snapshot, counts = _with_store(root, run)
    if args.format == "json":
        doc = {
            "version": __version__,
            "root": str(root),
            "store": str(snapshot),
            "files": report.files,
            "indexed": report.indexed,
            "unchanged": report.unchanged,
            "removed": report.removed,
            "skipped": report.skipped,
            "errors": report.errors,
            "seconds": round(report.seconds, 3),
            "workers": report.workers,
            "facts": counts,
            "notes": [{"path": n.path, "kind": n.kind, "message": n.message} for n in report.notes],
            "store_notes": report.store_notes,
        }
        print(json.dumps(doc, indent=2))
    else:
        for note in report.notes:
            print(f"{note.path}: {note.kind}: {note.message}")
        where = "memory only" if report.store_notes else snapshot
        print(f"auditls: {report.summary()}; {sum(counts.values())} facts in {where}")
    return _failed(report.failed) if report.failed else EXIT_OK


def cmd_facts(args: argparse.Namespace) -> int:
    from auditls.extractors import extract, module_name_for
    from auditls.facts import all_fact_types

    path = _existing(args.file)
    if not path.is_file():
        raise UsageError(f"{args.file}: not a file (facts takes one Python file)")
    tables = {t.TABLE: t for t in all_fact_types()}
    if args.table is not None and args.table not in tables:
        raise UsageError(
            f"--table {args.table}: no such table; tables: {', '.join(sorted(tables))}"
        )
    root = find_root(path)
    isolation.verify([str(root)])
    rel = _rel(root, path)
    try:  # never blocks on a FIFO nor reads /dev/zero (``read_workspace_file``)
        source = read_workspace_file(path.parent, path, cap=FACTS_FILE_CAP)
    except UnreadableFile as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    if source is None:
        raise UsageError(f"{args.file}: no such file")
    ff = extract(source, rel, module=module_name_for(path, root))
    grouped: dict[str, list[dict[str, Any]]] = {}
    if args.table is not None:
        grouped[args.table] = []
    for fact in ff.facts:
        if args.table is not None and args.table != fact.TABLE:
            continue
        row = {f.name: getattr(fact, f.name) for f in fields(fact)}
        grouped.setdefault(fact.TABLE, []).append(row)
    doc = {
        "path": ff.path,
        "module": ff.module,
        "status": ff.status,
        "error": ff.error,
        "error_line": ff.error_line,
        "error_col": ff.error_col,
        "extractor_errors": ff.extractor_errors,
        "tables": grouped,
    }
    _emit(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", None)
    return EXIT_OK


def cmd_rules(args: argparse.Namespace) -> int:
    from auditls.rules import RULES

    rules = list(RULES.values())
    if args.format == "json":
        doc = {
            "version": __version__,
            "rules": [
                {
                    "code": r.code,
                    "name": r.name,
                    "severity": r.severity,
                    "confidence": r.confidence,
                    "cwe": r.cwe,
                    "summary": r.summary,
                    "fix": r.fix,
                    "docs": r.docs_ref,
                }
                for r in rules
            ],
        }
        _emit(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", None)
        return EXIT_OK
    name_width = max((len(r.name) for r in rules), default=0)
    lines = []
    for r in rules:
        cwe = f"CWE-{r.cwe}" if r.cwe is not None else "-"
        lines.append(f"{r.code}  {r.name:<{name_width}}  {r.severity:<7}  {cwe:<8}  {r.summary}")
    _emit("\n".join(lines) + "\n", None)
    return EXIT_OK


def _loopback(host: str) -> str:
    """The address to listen on; only loopback: the server reads the workspace's code."""
    import ipaddress

    if host == "localhost":
        return "127.0.0.1"
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is None or not address.is_loopback:
        raise UsageError(
            f"--host {host}: not a loopback address. auditls serve only listens on this "
            "machine (127.0.0.1, ::1 or localhost): it serves the analysis of your code to "
            "whoever connects"
        )
    return str(address)


def cmd_serve(args: argparse.Namespace) -> int:
    if not args.tcp and (args.host != DEFAULT_HOST or args.port != DEFAULT_PORT):
        raise UsageError("--host and --port need --tcp (without it the server speaks on stdio)")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port {args.port}: expected 0 to 65535")
    host = _loopback(args.host)
    if args.token is not None and not args.tcp:
        raise UsageError(
            "--token needs --tcp (over stdio the editor that started it is the client)"
        )
    token = (args.token or os.environ.get("AUDITLS_TOKEN") or None) if args.tcp else None
    if not args.tcp and not args.single_process and not args.supervised:
        from auditls import supervisor

        return supervisor.main()
    from auditls.server import serve

    return serve(tcp=args.tcp, host=host, port=args.port, token=token, supervised=args.supervised)


# --------------------------------------------------------------------------------------------
# The parser


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("must be 0 (automatic) or more")
    return value


_JOBS_HELP = (
    "worker processes for extraction: 1 extracts in this process, 0 (the default) uses one per "
    "CPU when there are many files to extract"
)

_EPILOG = """\
exit codes: 0 nothing found, 1 findings, 2 usage error, bad configuration or internal error.
configuration: [tool.auditls] in the workspace's pyproject.toml (select, ignore, exclude,
severity, max-file-size, taint). The workspace root is the nearest directory, from the first
path up, holding a pyproject.toml or a .git. The index is kept in <root>/.auditls/.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="auditls",
        description="A security language server and CLI for Python: dangerous calls, auth gaps "
        "and taint paths.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"auditls {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    check = sub.add_parser(
        "check",
        help="index the workspace incrementally and report findings",
        description="Index the workspace incrementally (only changed files are re-extracted), "
        "then run the rules over the files under PATH and report the findings. Exit 0 when "
        "nothing is found, 1 when something is, 2 on a usage or internal error.",
        epilog="examples:\n  auditls check\n  auditls check src/ --select AUD1 --ignore AUD103\n"
        "  auditls check --format sarif --output auditls.sarif\n"
        "  auditls check --format html --output report.html\n"
        "  auditls check --write-baseline .auditls-baseline.json   # then: --baseline FILE",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="files or directories to report on (default: the current directory)",
    )
    check.add_argument(
        "--format",
        choices=("text", "json", "sarif", "html"),
        default="text",
        help="text (path:line:col: CODE [severity/confidence] message), json, SARIF 2.1.0 "
        "for GitHub code scanning, or html (one self-contained page to read; use with "
        "--output) (default: text)",
    )
    check.add_argument(
        "--select",
        metavar="CODES",
        help="comma-separated rule codes or prefixes to run (AUD1,AUD201, or ALL); replaces "
        "the configured select",
    )
    check.add_argument(
        "--ignore",
        metavar="CODES",
        help="comma-separated rule codes or prefixes to leave out; added to the configured ignore",
    )
    check.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N", help=_JOBS_HELP)
    check.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout"
    )
    check.add_argument(
        "--force-exclude",
        action="store_true",
        help="leave out the files and directories named on the command line that "
        "[tool.auditls] exclude or .gitignore excludes (for pre-commit, which names every "
        "changed file)",
    )
    check.add_argument(
        "--quiet",
        "-q",
        action="store_true",
        help="no progress and no summary on stderr (errors are still printed)",
    )
    baseline = check.add_mutually_exclusive_group()
    baseline.add_argument(
        "--baseline",
        metavar="FILE",
        help="report only findings not recorded in FILE (default: [tool.auditls] baseline)",
    )
    baseline.add_argument(
        "--write-baseline",
        metavar="FILE",
        help="record the findings of this run in FILE, to pass to --baseline later",
    )
    baseline.add_argument(
        "--no-baseline",
        action="store_true",
        help="ignore the baseline configured in [tool.auditls]",
    )
    check.set_defaults(func=cmd_check)

    index = sub.add_parser(
        "index",
        help="bring the index under <root>/.auditls/ up to date",
        description="Walk the workspace and bring the index up to date: unchanged files are "
        "skipped by size and mtime, then by content hash; vanished files are forgotten. "
        "Respects .gitignore, [tool.auditls] exclude and max-file-size.",
    )
    index.add_argument(
        "path", nargs="?", metavar="PATH", help="directory to index (default: current directory)"
    )
    index.add_argument("--jobs", "-j", type=_jobs, default=0, metavar="N", help=_JOBS_HELP)
    index.add_argument(
        "--format", choices=("text", "json"), default="text", help="report format (default: text)"
    )
    index.set_defaults(func=cmd_index)

    facts = sub.add_parser(
        "facts",
        help="print the facts extracted from one file",
        description="Extract one Python file and print its fact rows grouped by table, as "
        "JSON. Nothing is written to the index.",
    )
    facts.add_argument("file", metavar="FILE", help="the Python file")
    facts.add_argument("--table", metavar="NAME", help="only this table (e.g. python_calls)")
    facts.add_argument(
        "--format", choices=("json",), default="json", help="output format (default: json)"
    )
    facts.set_defaults(func=cmd_facts)

    rules = sub.add_parser(
        "rules",
        help="list the rule catalogue",
        description="List every rule: code, name, default severity, CWE and what it reports.",
    )
    rules.add_argument(
        "--format", choices=("text", "json"), default="text", help="output format (default: text)"
    )
    rules.set_defaults(func=cmd_rules)

    serve = sub.add_parser(
        "serve",
        help="run the language server (stdio, or TCP on loopback)",
        description="Run the language server for an editor: over stdio (the editor starts "
        "it), or with --tcp on a loopback port (for one client that connects). Logs go to "
        "stderr; settings come from the editor and [tool.auditls]. See the README's "
        "'Editor setup'.",
    )
    serve.add_argument("--tcp", action="store_true", help="listen on TCP instead of stdio")
    serve.add_argument(
        "--host",
        default=DEFAULT_HOST,
        help=f"TCP host, a loopback address only (default: {DEFAULT_HOST})",
    )
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"TCP port (default: {DEFAULT_PORT})"
    )
    serve.add_argument(
        "--token",
        help="with --tcp: the token a client must send as initializationOptions.token "
        "(default: $AUDITLS_TOKEN, else one is made up and written to stderr; prefer the "
        "variable: a command line is visible to every user of the machine)",
    )
    serve.add_argument(
        "--single-process",
        action="store_true",
        help="over stdio, serve in this process: no supervisor, which otherwise starts the "
        "server afresh from its snapshot when its memory has grown (AUDITLS_RECYCLE_MB: auto, "
        "a number of MB, or off)",
    )
    serve.add_argument("--supervised", action="store_true", help=argparse.SUPPRESS)
    serve.set_defaults(func=cmd_serve)
    return parser


#: ``main(linger=True)``: the stores of the run, kept until the process ends (``__main__``
#: ends it with ``os._exit``: what they hold is never freed object by object).
_lingering: list[object] | None = None


def main(argv: Sequence[str] | None = None, *, linger: bool = False) -> int:
    """Run the CLI; returns the exit code. ``linger``: the process ends right after
    (``python -m auditls``), so what the run built may stay until then."""
    global _lingering
    _lingering = [] if linger else None
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error (argparse printed it)
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        code: int = args.func(args)
        return code
    except (UsageError, ConfigError, StoreError, isolation.Shadowed) as exc:
        print(f"auditls: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("auditls: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`auditls check | head`); stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_ERROR
    except Exception as exc:
        print(f"auditls: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("AUDITLS_DEBUG"):
            traceback.print_exc()
        else:
            print("auditls: set AUDITLS_DEBUG=1 for the traceback", file=sys.stderr)
        return EXIT_ERROR

"""The editor's analysis of a buffer, every corpus file: CPU time of the full analysis and of
what publishes first (the quick pass for buffers of ``QUICK_FIRST`` characters or more).
Prints figures, asserts nothing. Never a test.

    python bench/buffer_bench.py                 # the pinned corpus (bench/run.py fills it)
    python bench/buffer_bench.py --corpus DIR    # any source tree (read only)
    python bench/buffer_bench.py --stages 5      # + where the time goes, on the 5 largest files
    python bench/buffer_bench.py --min-size 15000 # only files of 15,000 bytes or more
    python bench/buffer_bench.py --edits          # what publishes first after an edit, with
                                                  # and without the reparser (extractors.reparse)

CPU time (``time.process_time``), not wall time: it is what the buffer costs the server's
interpreter, and it moves less with the machine's load.
"""

from __future__ import annotations

import argparse
import gc
import os
import time
from pathlib import Path

from auditls.extractors import extract
from auditls.extractors.parse import decode, parse
from auditls.extractors.reparse import Reparser
from auditls.facts.core import SuppressionFact
from auditls.rules import check_facts
from auditls.rules.runner import EVERY_RULE, FILE_RULE_EXTRACTORS
from auditls.server.documents import QUICK_FIRST, analyse_buffer, buffer_bytes
from auditls.server.findings import prepare_findings

CACHE = os.environ.get("AUDITLS_BENCH_CACHE") or Path.home() / ".cache" / "auditls-bench"


def quantiles(values: list[float]) -> str:
    ordered = sorted(values)

    def q(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    return f"p50 {q(0.5):.1f}  p90 {q(0.9):.1f}  p95 {q(0.95):.1f}  p99 {q(0.99):.1f} ms"


def stages(path: Path, root: Path, quick: bool, runs: int = 3) -> dict[str, float]:
    """CPU ms of each stage of ``analyse_buffer`` on one file (the best of ``runs``): the parse
    alone, the rest of the extraction (pre-filter, semantic model, walk, facts: ``model``),
    the extractors' own handlers (wall time, from ``extract``'s timing hook, which adds its own
    cost), the file rules and the findings' preparation."""
    text = path.read_text(encoding="utf-8", errors="replace")
    rel = path.relative_to(root).as_posix()
    data = buffer_bytes(text)
    only = FILE_RULE_EXTRACTORS if quick else None
    best: dict[str, float] = {}
    for _ in range(runs):
        gc.disable()
        began = time.process_time()
        parse(decode(data), rel)
        parsed = time.process_time()
        gc.enable()
        timings: dict[str, float] = {}
        start = time.process_time()
        facts = extract(data, rel, only=only, timings=timings)
        extracted = time.process_time()
        findings = check_facts(facts, select=EVERY_RULE, test_code="demote")
        checked = time.process_time()
        uri_of = lambda r: (root / r).as_uri()  # noqa: E731 - as the server passes it
        prepare_findings(findings, facts.of(SuppressionFact), text, "utf-16", uri_of, root)
        prepared = time.process_time()
        handlers = sum(timings.values())
        run = {
            "parse": parsed - began,
            "model": extracted - start - (parsed - began) - handlers,
            "extractors": handlers,
            "rules": checked - extracted,
            "prepare": prepared - checked,
            "total": prepared - start,
        }
        if not best or run["total"] < best["total"]:
            best = run
            top = sorted(timings.items(), key=lambda kv: -kv[1])[:3]
            best["top"] = top  # type: ignore[assignment]
    return best


def print_stages(files: list[Path], root: Path, count: int) -> None:
    largest = sorted(files, key=lambda p: p.stat().st_size)[-count:]
    for quick in (False, True):
        print(f"stages, CPU ms ({'quick pass' if quick else 'full analysis'}; best of 3):")
        for path in largest:
            s = stages(path, root, quick)
            top = ", ".join(f"{name} {t * 1000:.1f}" for name, t in s.pop("top"))  # type: ignore[attr-defined]
            cells = "  ".join(f"{k} {v * 1000:.1f}" for k, v in s.items())
            print(f"  {path.relative_to(root)} ({path.stat().st_size // 1024} KiB): {cells}")
            print(f"      slowest extractors: {top}")


def cpu_ms(text: str, rel: str, root: Path, quick: bool, reparser: Reparser | None = None) -> float:
    """CPU milliseconds of one ``analyse_buffer`` of ``text`` (the file ``rel`` under ``root``)."""
    began = time.process_time()
    analyse_buffer(
        text,
        version=1,
        rel=rel,
        module=None,
        encoding="utf-16",
        root=root,
        uri_of=lambda r: (root / r).as_uri(),
        quick=quick,
        reparser=reparser,
    )
    return (time.process_time() - began) * 1000


#: The edits of ``--edits``: what an editor sends between two analyses.
EDITS = ("a line at the end", "a word typed mid-file", "a line inserted mid-file")


def edit(lines: list[str], kind: str) -> list[str]:
    """``lines`` (of a file) after one edit of ``kind``, at the middle statement line."""
    lines = list(lines)
    ends = "([{,:\\"  # a line a statement does not end on
    code = [i for i, line in enumerate(lines) if line.strip() and line.rstrip()[-1] not in ends]
    at = code[len(code) // 2] if code else 0
    if kind == EDITS[0]:
        lines.insert(len(lines) - (lines[-1:] == [""]), "_edited = 1")
    elif kind == EDITS[1]:
        lines[at] += "  # typed"
    else:
        line = lines[at]
        lines.insert(at + 1, line[: len(line) - len(line.lstrip())] + "_edited = 1")
    return lines


def edits(files: list[Path], root: Path) -> None:
    """What publishes first after each kind of edit, the whole text parsed again or spliced."""
    times: dict[tuple[str, bool], list[float]] = {}
    spliced = Reparser()
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(root).as_posix()
        lines = text.split("\n")
        for kind in EDITS:
            after = "\n".join(edit(lines, kind))
            quick = len(after) >= QUICK_FIRST
            for reparser in (None, spliced):
                if reparser is not None:
                    reparser.parse(decode(buffer_bytes(text)), rel)  # the version before
                cost = cpu_ms(after, rel, root, quick, reparser)
                times.setdefault((kind, reparser is not None), []).append(cost)
    print(f"{root} ({len(files)} files), CPU time of what publishes first after an edit:")
    for kind in EDITS:
        for again in (False, True):
            how = "spliced" if again else "parsed whole"
            print(f"  {kind:26s} {how:13s} {quantiles(times[(kind, again)])}")
    print(f"  reparser: {dict(spliced.stats)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=Path(CACHE) / "src")
    parser.add_argument("--stages", type=int, default=0, help="stages of the N largest files")
    parser.add_argument("--min-size", type=int, default=0, help="only files of N bytes or more")
    parser.add_argument("--edits", action="store_true", help="after an edit (see above)")
    args = parser.parse_args()
    root = args.corpus.resolve()
    files = [p for p in sorted(root.rglob("*.py")) if p.stat().st_size >= args.min_size]
    if args.edits:
        edits(files, root)
        return
    full: list[float] = []
    first: list[float] = []
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        rel = path.relative_to(root).as_posix()

        full.append(cpu_ms(text, rel, root, False))
        first.append(cpu_ms(text, rel, root, True) if len(text) >= QUICK_FIRST else full[-1])
    print(f"{root} ({len(files)} files), CPU time per buffer analysis:")
    print(f"  full analysis        {quantiles(full)}")
    print(f"  what publishes first {quantiles(first)}")
    print(f"  total: full {sum(full) / 1000:.2f} s, what publishes first {sum(first) / 1000:.2f} s")
    if args.stages:
        print_stages(files, root, args.stages)


if __name__ == "__main__":
    main()

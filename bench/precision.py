"""Precision on real code: what ``auditls check`` reports on the pinned corpus. Never a test.

    python bench/precision.py                      # the pinned corpus (bench/run.py fetches it)
    python bench/precision.py PATH                 # any other tree (a Django checkout, ...)
    python bench/precision.py --json out.json      # also keep the findings
    python bench/precision.py --compare old.json   # counts before (old.json) and now, by rule
    python bench/precision.py --sample 30          # a seeded sample of error findings to judge

The tree is copied to a temporary directory (so no ``.auditls/`` store lands in the cache) and
``auditls check --format json`` runs on it as a real subprocess, with the workspace's own
settings (none for the corpus: test code is demoted by default). Printed: findings by rule and
severity, by confidence, the share under test paths, and optionally a sample of findings of one
severity with the source line, for a person to judge. The judged figures go in the closing note
of the change that moved them, with this command line.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import CORPUS, fetch_corpus

SEVERITIES = ("error", "warning", "info")


def check(root: Path) -> list[dict[str, object]]:
    """The findings of ``auditls check`` on a copy of ``root``."""
    with tempfile.TemporaryDirectory(prefix="auditls-precision-") as tmp:
        work = Path(tmp) / "tree"
        shutil.copytree(root, work, ignore=shutil.ignore_patterns("__pycache__", ".auditls"))
        done = subprocess.run(
            [sys.executable, "-m", "auditls", "check", "--format", "json", str(work)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode not in (0, 1):
            sys.exit(f"auditls check failed ({done.returncode}):\n{done.stderr}")
        findings: list[dict[str, object]] = json.loads(done.stdout)["findings"]
        for f in findings:  # keep the source line for judging, the copy goes away
            path = work / str(f["path"])
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            line = int(str(f["line"]))
            f["source"] = lines[line - 1].strip() if 0 < line <= len(lines) else ""
        return findings


def table(findings: list[dict[str, object]], before: list[dict[str, object]] | None) -> None:
    now = Counter((str(f["rule"]), str(f["severity"])) for f in findings)
    old = Counter((str(f["rule"]), str(f["severity"])) for f in before or [])
    rules = sorted({r for r, _ in now} | {r for r, _ in old})
    head = "rule    " + "".join(f"{s:>10}" for s in SEVERITIES) + "     total"
    print(head + ("   (before)" if before is not None else ""))
    for r in rules:
        cells = "".join(f"{now[(r, s)]:>10}" for s in SEVERITIES)
        total = sum(now[(r, s)] for s in SEVERITIES)
        was = sum(old[(r, s)] for s in SEVERITIES)
        print(f"{r:<8}{cells}{total:>10}" + (f"   ({was})" if before is not None else ""))
    by_sev = Counter(str(f["severity"]) for f in findings)
    print("total   " + "".join(f"{by_sev[s]:>10}" for s in SEVERITIES) + f"{len(findings):>10}")
    if before is not None:
        was_sev = Counter(str(f["severity"]) for f in before)
        print("before  " + "".join(f"{was_sev[s]:>10}" for s in SEVERITIES) + f"{len(before):>10}")
    conf = Counter(str(f["confidence"]) for f in findings)
    print("confidence: " + ", ".join(f"{c} {conf[c]}" for c in ("high", "medium", "low")))


def sample(findings: list[dict[str, object]], severity: str, n: int, seed: int) -> None:
    pool = [f for f in findings if f["severity"] == severity]
    picked = sorted(random.Random(seed).sample(pool, min(n, len(pool))),
                    key=lambda f: (str(f["path"]), int(str(f["line"]))))  # fmt: skip
    print(f"\nsample of {len(picked)} of {len(pool)} {severity} findings (seed {seed}):")
    for i, f in enumerate(picked, 1):
        print(f"{i:>3}. {f['rule']} {f['confidence']:<6} {f['path']}:{f['line']}")
        print(f"     {str(f['source'])[:110]}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("path", nargs="?", type=Path, help="tree to check (default: pinned corpus)")
    ap.add_argument("--json", type=Path, help="write the findings here")
    ap.add_argument("--compare", type=Path, help="a --json file of an earlier run")
    ap.add_argument("--sample", type=int, default=0, help="print N findings to judge")
    ap.add_argument("--severity", default="error", choices=SEVERITIES)
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args()
    root = args.path or fetch_corpus()
    what = str(root) if args.path else f"pinned corpus ({', '.join(CORPUS)})"
    files = sum(1 for _ in root.rglob("*.py"))
    print(f"auditls check on {what}: {files} files\n")
    findings = check(root)
    before = json.loads(args.compare.read_text()) if args.compare else None
    if isinstance(before, dict):
        before = before["findings"]  # a saved `auditls check --format json`
    table(findings, before)
    tests = [f for f in findings if f["severity"] == "info" and f["confidence"] == "low"]
    print(f"info/low (test code demoted, among others): {len(tests)}")
    if args.json:
        args.json.write_text(json.dumps(findings, indent=1))
    if args.sample:
        sample(findings, args.severity, args.sample, args.seed)


if __name__ == "__main__":
    main()

"""auditls, bandit and ``ruff --select S`` on the labelled security corpus, per rule family.

Prints a table; asserts nothing. The peers are not project dependencies: install them in a
throw-away virtual environment and point this script at it::

    python3 -m venv /tmp/peers && /tmp/peers/bin/pip install bandit ruff
    python bench/compare_peers.py --peers /tmp/peers/bin

How findings are scored. Each ``# expect: AUDnnn`` line of ``fixtures/security/*.py`` is one
expected finding of that rule's family (a line expecting two families counts for both). A
tool's finding is mapped to a family by its rule id (the tables below); it is a true positive
when its line expects a finding of that family, a false positive otherwise. Several findings of
one tool, family and line count once. Findings the peers make on ``import`` lines (bandit's
B4xx blacklist, ruff's S4xx) are audit notices, scored like any other: the corpus expects
findings only for the imports auditls reports (pycrypto, xmlrpc, pyghmi).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from auditls.extractors import extract
from auditls.rules import check_facts

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "security"
EXPECT = re.compile(r"#\s*expect:\s*(AUD\d{3}(?:\s*,\s*AUD\d{3})*)")

#: auditls rule code -> family.
AUDITLS_FAMILIES: dict[str, tuple[str, ...]] = {
    "code execution": ("AUD101", "AUD105", "AUD106"),
    "commands": ("AUD102", "AUD107", "AUD108", "AUD109"),
    "deserialization": ("AUD103", "AUD104"),
    "XML": ("AUD110", "AUD111", "AUD112"),
    "SQL": ("AUD113",),
    "templates, markup": ("AUD114", "AUD115", "AUD116"),
    "files, paths": ("AUD117", "AUD118", "AUD119", "AUD120", "AUD121"),
    "network, TLS": ("AUD122", "AUD123", "AUD124", "AUD125", "AUD126", "AUD127", "AUD128",
                     "AUD131", "AUD133"),
    "supply chain, source": ("AUD129", "AUD130", "AUD132", "AUD210"),
    "crypto": ("AUD201", "AUD202", "AUD203", "AUD204", "AUD205"),
    "secrets": ("AUD206",),
    "password hashing": ("AUD207", "AUD208", "AUD209"),
    "JWT": ("AUD301", "AUD302", "AUD303"),
}  # fmt: skip

#: bandit test id / ruff code (without the S) -> family. Unknown ids are "other".
PEER_FAMILIES: dict[str, str] = {
    **dict.fromkeys(("102", "307", "B102", "B307"), "code execution"),
    **dict.fromkeys(
        ("602", "604", "605", "606", "607", "609", "601", "B602", "B604", "B605", "B606",
         "B607", "B609", "B601"),
        "commands",
    ),
    **dict.fromkeys(("301", "302", "506", "B301", "B302", "B506", "B614"), "deserialization"),
    **dict.fromkeys(
        [f"{p}{n}" for p in ("", "B") for n in (313, 314, 315, 316, 317, 318, 319, 320, 405,
                                                406, 407, 408, 409, 410, 411)],
        "XML",
    ),
    **dict.fromkeys(("608", "610", "611", "B608", "B610", "B611"), "SQL"),
    **dict.fromkeys(
        ("701", "702", "704", "308", "B701", "B702", "B703", "B704", "B308"), "templates, markup"
    ),
    **dict.fromkeys(("108", "103", "306", "202", "B108", "B103", "B306", "B202"), "files, paths"),
    **dict.fromkeys(
        ("501", "502", "503", "504", "507", "323", "113", "310", "312", "321", "104", "508",
         "509", "412", "401", "402", "B501", "B502", "B503", "B504", "B507", "B323", "B113",
         "B310", "B312", "B321", "B104", "B508", "B509", "B412", "B401", "B402"),
        "network, TLS",
    ),
    **dict.fromkeys(("615", "613", "415", "413", "B615", "B613", "B415", "B413"),
                    "supply chain, source"),
    **dict.fromkeys(
        ("303", "304", "305", "324", "311", "505", "B303", "B304", "B305", "B324", "B311",
         "B505"),
        "crypto",
    ),
    **dict.fromkeys(("105", "106", "107", "B105", "B106", "B107"), "secrets"),
}  # fmt: skip

Key = tuple[str, int, str]  # (file name, line, family)


def family_of_code(code: str) -> str:
    for family, codes in AUDITLS_FAMILIES.items():
        if code in codes:
            return family
    return "other"


def expected() -> set[Key]:
    out: set[Key] = set()
    for path in sorted(CORPUS.glob("*.py")):
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            m = EXPECT.search(line)
            if m:
                for code in m.group(1).split(","):
                    out.add((path.name, lineno, family_of_code(code.strip())))
    return out


def auditls_findings() -> set[Key]:
    out: set[Key] = set()
    for path in sorted(CORPUS.glob("*.py")):
        for f in check_facts(extract(path.read_bytes(), path.relative_to(ROOT).as_posix())):
            out.add((path.name, f.line, family_of_code(f.rule)))
    return out


def bandit_findings(peers: Path) -> set[Key]:
    done = subprocess.run(
        [str(peers / "bandit"), "-q", "-r", "-f", "json", str(CORPUS)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    out: set[Key] = set()
    for r in json.loads(done.stdout)["results"]:
        out.add(
            (Path(r["filename"]).name, r["line_number"], PEER_FAMILIES.get(r["test_id"], "other"))
        )
    return out


def ruff_findings(peers: Path) -> set[Key]:
    done = subprocess.run(
        [str(peers / "ruff"), "check", "--isolated", "--select", "S", "--output-format", "json",
         "--exit-zero", str(CORPUS)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    out: set[Key] = set()
    for r in json.loads(done.stdout):
        code = str(r["code"]).removeprefix("S")
        family = PEER_FAMILIES.get(code, "other")
        out.add((Path(r["filename"]).name, r["location"]["row"], family))
    return out


def score(found: set[Key], wanted: set[Key]) -> dict[str, tuple[int, int]]:
    """family -> (true positives, false positives), scored by line.

    A line the corpus expects a finding on counts as found (for each family expected there)
    when the tool reports anything on it, whatever the tool calls it (bandit files a digest of
    a password under weak hashes, auditls under password hashing). A finding on a line that
    expects nothing is a false positive of the family the tool gives it.
    """
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    wanted_lines: dict[tuple[str, int], set[str]] = defaultdict(set)
    for name, line, family in wanted:
        wanted_lines[(name, line)].add(family)
    found_lines: dict[tuple[str, int], set[str]] = defaultdict(set)
    for name, line, family in found:
        found_lines[(name, line)].add(family)
    for where, families in found_lines.items():
        if where in wanted_lines:
            for family in wanted_lines[where]:
                out[family][0] += 1
        else:
            for family in families:
                out[family][1] += 1
    return {k: (v[0], v[1]) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path("/tmp/peers/bin")  # noqa: S108 (where the docstring tells to install them)
    parser.add_argument("--peers", type=Path, default=default,
                        help="bin/ directory holding the bandit and ruff executables")  # fmt: skip
    args = parser.parse_args()
    if not (args.peers / "bandit").exists() or not (args.peers / "ruff").exists():
        sys.exit(f"bandit and ruff not found in {args.peers}: see this script's docstring")
    wanted = expected()
    tools = {
        "auditls": score(auditls_findings(), wanted),
        "bandit": score(bandit_findings(args.peers), wanted),
        "ruff S": score(ruff_findings(args.peers), wanted),
    }
    per_family: dict[str, int] = defaultdict(int)
    for key in wanted:
        per_family[key[2]] += 1
    families = [*AUDITLS_FAMILIES, "other"]
    header = f"| {'family':22} | expected | " + " | ".join(f"{t:>14}" for t in tools) + " |"
    print(header)
    print("|" + "|".join("-" * (len(c)) for c in header.split("|")[1:-1]) + "|")
    totals = {t: [0, 0] for t in tools}
    for family in families:
        cells = []
        for tool, table in tools.items():
            tp, fp = table.get(family, (0, 0))
            totals[tool][0] += tp
            totals[tool][1] += fp
            cells.append(f"{tp:>3} TP {fp:>3} FP".rjust(14))
        if per_family.get(family, 0) or any(table.get(family) for table in tools.values()):
            print(f"| {family:22} | {per_family.get(family, 0):>8} | " + " | ".join(cells) + " |")
    cells = [f"{tp:>3} TP {fp:>3} FP".rjust(14) for tp, fp in totals.values()]
    print(f"| {'total':22} | {len(wanted):>8} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

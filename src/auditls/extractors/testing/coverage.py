"""Coverage exclusions (Block 2: ``extract_test_coverage_markers``): ``# pragma: no cover``
comments (and any other ``# pragma:`` comment, which a workspace may configure), and the lines
projects usually list in ``[tool.coverage.report] exclude_also``: ``if TYPE_CHECKING:``,
``if __name__ == "__main__":``, ``raise NotImplementedError``, ``@abstractmethod``,
``@overload``. ``auditls.models.testing`` applies the workspace's own ``exclude_lines`` /
``exclude_also`` patterns to each row's text.

Comments are not in the tree: the pragma comments are found by one regular-expression search
of the text (as ``extractors.suppress`` finds suppression comments), in ``finish``; each is
tied to the function or class whose ``def`` / ``class`` line holds it (coverage then excludes
the whole body) and to the innermost function around it.
"""

from __future__ import annotations

import ast
import bisect
import re

from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.testing import CoverageMarkerFact
from auditls.knowledge.testing import (
    COVERAGE_DECORATORS,
    COVERAGE_FRAGMENTS,
    NOT_IMPLEMENTED,
    TYPE_CHECKING_NAMES,
)

#: A ``# pragma`` comment; coverage's default ``exclude_lines`` is its ``no cover`` form.
_PRAGMA = re.compile(r"#[ \t]*pragma\b[^\n]*", re.IGNORECASE)
_NO_COVER = re.compile(r"#\s*pragma[:\s]?\s*no\s*cover", re.IGNORECASE)


@register
class CoverageExtractor(Extractor):
    """python_test_coverage."""

    name = "testing.test_coverage_markers"
    fact_types = (CoverageMarkerFact,)
    fragments = (COVERAGE_FRAGMENTS,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        #: def/class line -> qualified name; function spans (start, end, qualname).
        self.heads: dict[int, str] = {}
        self.spans: list[tuple[int, int, str]] = []
        self.lines: list[str] | None = None

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        qualname = self.ctx.def_qualname(node)
        self.heads[node.lineno] = qualname
        self.spans.append((node.lineno, node.end_lineno or node.lineno, qualname))
        for dec in node.decorator_list:
            marker = COVERAGE_DECORATORS.get(self.ctx.qualname(dec) or "")
            if marker is not None:
                self._emit(dec, marker, qualname, self.ctx.function)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.heads[node.lineno] = self.ctx.def_qualname(node)

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        marker = None
        if self.ctx.qualname(test) in TYPE_CHECKING_NAMES:
            marker = "type_checking"
        elif (
            isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
            and test.left.id == "__name__" and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__"
        ):  # fmt: skip
            marker = "main_guard"
        if marker is not None:
            self._emit(node, marker, None, self.ctx.function, end=node.test)

    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc
        callee = exc.func if isinstance(exc, ast.Call) else exc
        if callee is not None and self.ctx.qualname(callee) in NOT_IMPLEMENTED:
            self._emit(node, "not_implemented", None, self.ctx.function)

    def finish(self) -> None:
        text = self.ctx.text
        if _PRAGMA.search(text) is None:
            return
        starts = [0]
        starts.extend(m.end() for m in re.finditer("\n", text))
        self.spans.sort()
        for m in _PRAGMA.finditer(text):
            line = bisect.bisect_right(starts, m.start())
            col = m.start() - starts[line - 1] + 1
            line_text = text[starts[line - 1] : m.end()].strip()
            function = self.ctx.module
            for start, end, qualname in self.spans:
                if start > line:
                    break
                if end >= line:
                    function = qualname
            self.emit(
                CoverageMarkerFact(
                    line=line, col=col, end_line=line, end_col=col + len(m.group()),
                    marker="pragma" if _NO_COVER.match(m.group()) else "pragma_other",
                    text=line_text[:200], target=self.heads.get(line), function=function,
                )
            )  # fmt: skip

    def _emit(self, node: ast.AST, marker: str, target: str | None, function: str,
              end: ast.AST | None = None) -> None:  # fmt: skip
        pos = self.ctx.pos(node)
        if end is not None:
            pos.update(end_line=self.ctx.pos(end)["end_line"], end_col=self.ctx.pos(end)["end_col"])
        if self.lines is None:
            self.lines = self.ctx.text.split("\n")
        line = self.lines[pos["line"] - 1] if 0 < pos["line"] <= len(self.lines) else ""
        self.emit(
            CoverageMarkerFact(
                **pos, marker=marker, text=line.strip()[:200], target=target, function=function,
            )
        )  # fmt: skip

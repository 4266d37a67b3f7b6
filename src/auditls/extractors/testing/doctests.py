"""Doctests (Block 2: ``extract_doctest_examples``): each ``>>>`` example of a module's,
class's or function's docstring, with its ``...`` continuation lines and the expected output
that follows, at its own line in the file.

A docstring's line ``i`` sits on the file's line ``first + i`` when the literal holds no
escaped newline (``\\n`` written out), which docstrings with examples practically never do.
"""

from __future__ import annotations

import ast

from auditls.extractors.walker import Extractor, register
from auditls.facts.testing import DoctestExampleFact
from auditls.knowledge.testing import DOCTEST_PROMPT

_PROMPTS = (DOCTEST_PROMPT,)


@register
class DoctestsExtractor(Extractor):
    """python_doctest_examples."""

    name = "testing.doctest_examples"
    fact_types = (DoctestExampleFact,)
    fragments = (_PROMPTS,)

    def visit_Module(self, node: ast.Module) -> None:
        self._docstring(node, self.ctx.module)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._docstring(node, self.ctx.def_qualname(node))

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self._docstring(node, self.ctx.def_qualname(node))

    def _docstring(self, node: ast.Module | ast.ClassDef | ast.FunctionDef
                   | ast.AsyncFunctionDef, target: str) -> None:  # fmt: skip
        body = node.body
        if not body or not isinstance(body[0], ast.Expr):
            return
        doc = body[0].value
        if not isinstance(doc, ast.Constant) or not isinstance(doc.value, str):
            return
        text = doc.value
        if DOCTEST_PROMPT not in text:
            return
        lines = text.split("\n")
        i = 0
        while i < len(lines):
            stripped = lines[i].lstrip()
            if not stripped.startswith(DOCTEST_PROMPT):
                i += 1
                continue
            start = i
            indent = len(lines[i]) - len(stripped)
            source = [stripped[4:] if len(stripped) > 3 else ""]
            i += 1
            while i < len(lines) and lines[i].lstrip().startswith("..."):
                source.append(lines[i].lstrip()[4:])
                i += 1
            want: list[str] = []
            while (
                i < len(lines)
                and lines[i].strip()
                and not lines[i].lstrip().startswith(DOCTEST_PROMPT)
            ):
                want.append(lines[i].strip())
                i += 1
            line = doc.lineno + start
            end_line = doc.lineno + start + len(source) - 1
            col = indent + 1 if start else doc.col_offset + 4
            self.emit(
                DoctestExampleFact(
                    line=line, col=col, end_line=end_line,
                    end_col=col + len(lines[start + len(source) - 1].strip()),
                    target=target, source="\n".join(source)[:200],
                    want="\n".join(want)[:200] if want else None,
                )
            )  # fmt: skip

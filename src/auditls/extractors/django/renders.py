"""Renders: a call that renders a template named by a literal with a context (``RENDER_CALLS``:
``render(request, "shop/list.html", {"q": q})``, ``render_to_string``, ``TemplateResponse``).

The context's dict literal is recorded key by key, each with what its value is when it is a
plain local (``"q": q`` is ``q=name:q``); a literal (or a display of literals) is left out; any
other value is ``*`` (the engine then takes the whole argument for that key), a ``**spread`` is
``**=*``; a context that is no dict literal (``ctx``, ``self.get_context_data()``) is ``whole``.
A template named by a list or tuple of
literals (Django tries each) records every name; one computed is not recorded.
"""

from __future__ import annotations

import ast

from auditls.extractors.django.common import literal_str
from auditls.extractors.walker import Extractor, register
from auditls.facts.django import DjangoRenderFact
from auditls.knowledge.django import RENDER_CALLS


def _argument(node: ast.Call, position: int, keyword: str) -> ast.expr | None:
    for kw in node.keywords:
        if kw.arg == keyword:
            return kw.value
    if len(node.args) > position and not any(
        isinstance(a, ast.Starred) for a in node.args[: position + 1]
    ):
        return node.args[position]
    return None


def _names(expr: ast.expr | None) -> tuple[str, ...]:
    if expr is None:
        return ()
    if isinstance(expr, (ast.List, ast.Tuple)):
        found = [literal_str(e) for e in expr.elts]
        return tuple(n for n in found if n is not None) if all(found) else ()
    one = literal_str(expr)
    return (one,) if one is not None else ()


def _literal(expr: ast.expr) -> bool:
    """A constant, or a display of constants (``[]``, ``("a", 1)``): nothing flows into it."""
    if isinstance(expr, ast.Constant):
        return True
    if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
        return all(isinstance(e, ast.Constant) for e in expr.elts)
    if isinstance(expr, ast.Dict):
        return all(isinstance(e, ast.Constant) for e in (*expr.keys, *expr.values))
    return False


@register
class RendersExtractor(Extractor):
    """python_django_renders."""

    name = "django.renders"
    fact_types = (DjangoRenderFact,)
    qualnames = (RENDER_CALLS,)

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        callee = ctx.qualname(node.func)
        spec = RENDER_CALLS.get(callee) if callee is not None else None
        if spec is None:
            return
        template_pos, template_kw, context_pos, context_kw = spec
        names = _names(_argument(node, template_pos, template_kw))
        context = _argument(node, context_pos, context_kw)
        if not names or context is None:
            return
        items: list[str] = []
        whole = not isinstance(context, ast.Dict)
        if isinstance(context, ast.Dict):
            for key, value in zip(context.keys, context.values, strict=True):
                if key is None:
                    items.append("**=*")
                    continue
                text = literal_str(key)
                if text is None:
                    items.append("**=*")  # a computed key may be any of them
                elif _literal(value):
                    continue  # a literal: nothing of the request in it
                elif isinstance(value, ast.Name):
                    items.append(f"{text}=name:{value.id}")
                else:
                    items.append(f"{text}=*")
        self.emit(
            DjangoRenderFact(
                **ctx.pos(node), function=ctx.function, callee=callee or "",
                templates=names, position=context_pos, keyword=context_kw,
                items=tuple(items), whole=whole,
            )
        )  # fmt: skip

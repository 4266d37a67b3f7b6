"""Data reads: validated form and serializer data (``form.cleaned_data["age"]``,
``serializer.validated_data.get("n")``) and a class view's URL kwargs (``self.kwargs["slug"]``,
``kwargs.get("pk")`` where ``kwargs`` is a handler's ``**`` parameter), each with its key when it
is a literal, and the handler methods' ``**`` parameters themselves (role ``spread``).

The form a ``cleaned_data`` read comes from is the class of the object (``form =
ContactForm(request.POST)``), the form itself in its own methods (``self.cleaned_data``), or, for
a parameter of a view method (``form_valid(self, form)``, ``perform_create(self, serializer)``),
the view's ``form_class`` / ``serializer_class``. A read of the whole mapping (no key, or a
key computed) is recorded too, with no key: a row that reads it is never cleaned by a keyed
read on the same line.
"""

from __future__ import annotations

import ast

from auditls.extractors.django.common import literal_str, ref_of
from auditls.extractors.semantic import Context
from auditls.extractors.walker import Extractor, register
from auditls.facts.django import DjangoDataReadFact
from auditls.knowledge.django import DATA_READ_FRAGMENTS, FORM_CLASS_ATTRIBUTES, VALIDATED_DATA
from auditls.knowledge.heuristics import REQUEST_PARAMETER

_WATCHED = VALIDATED_DATA | {"kwargs"}


@register
class DataReadsExtractor(Extractor):
    """python_django_data_reads."""

    name = "django.data_reads"
    fact_types = (DjangoDataReadFact,)
    fragments = (DATA_READ_FRAGMENTS,)

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.active = ctx.file_scan().contains_any(DATA_READ_FRAGMENTS)
        #: Handler method -> the name of its `**` parameter (and those names).
        self.spreads: dict[str, str] = {}
        self.spread_names: set[str] = set()
        #: Class -> its form_class / serializer_class (as resolved).
        self.form_classes: dict[str, str] = {}
        #: Mapping nodes read with a key (their own visit records nothing).
        self.keyed: set[int] = set()

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        ctx = self.ctx
        if node.args.kwarg is None or not self.active or ctx.scope.kind != "class":
            return
        params = [a.arg for a in (*node.args.posonlyargs, *node.args.args)]
        if len(params) > 1 and REQUEST_PARAMETER(params[1]):
            qualname = ctx.def_qualname(node)
            name = node.args.kwarg.arg
            self.spreads[qualname] = name
            self.spread_names.add(name)
            self.emit(
                DjangoDataReadFact(
                    **ctx.pos(node), function=qualname, role="spread", chain=name, key=None,
                    form=None,
                )
            )  # fmt: skip

    def visit_Assign(self, node: ast.Assign) -> None:
        ctx = self.ctx
        if not self.active or ctx.scope.kind != "class" or len(node.targets) != 1:
            return
        target = node.targets[0]
        if isinstance(target, ast.Name) and target.id in FORM_CLASS_ATTRIBUTES:
            found = ref_of(ctx, node.value)
            if found is not None:
                self.form_classes[ctx.scope.qualname] = found

    def visit_Subscript(self, node: ast.Subscript) -> None:
        if self._watched(node.value) and isinstance(node.ctx, ast.Load):
            self._read(node.value, literal_str(node.slice), keyed=True)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != "get" or not node.args:
            return
        if self._watched(func.value):
            self._read(func.value, literal_str(node.args[0]), keyed=True)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        watched = node.attr in _WATCHED and self.active and id(node) not in self.keyed
        if watched and isinstance(node.ctx, ast.Load):
            self._read(node, None, keyed=False)

    def visit_Name(self, node: ast.Name) -> None:
        watched = node.id in self.spread_names and id(node) not in self.keyed
        if watched and isinstance(node.ctx, ast.Load):
            self._read(node, None, keyed=False)

    def _watched(self, expr: ast.expr) -> bool:
        """A cheap first test: a watched attribute, or a name some handler spreads."""
        if isinstance(expr, ast.Attribute):
            return expr.attr in _WATCHED and self.active
        return isinstance(expr, ast.Name) and expr.id in self.spread_names

    def _read(self, mapping: ast.expr, key: str | None, keyed: bool) -> None:
        found = self._mapping(mapping)
        if found is None:
            return
        if keyed:
            self.keyed.add(id(mapping))
        role, form = found
        ctx = self.ctx
        self.emit(
            DjangoDataReadFact(
                **ctx.pos(mapping), function=ctx.function, role=role,
                chain=ctx.text_of(mapping, 80), key=key, form=form,
            )
        )  # fmt: skip

    def _mapping(self, expr: ast.expr) -> tuple[str, str | None] | None:
        """(role, form) when ``expr`` is validated data or a view's URL kwargs."""
        ctx = self.ctx
        if isinstance(expr, ast.Name):
            if self.spreads.get(ctx.function) == expr.id:
                return "kwargs", None
            return None
        if not isinstance(expr, ast.Attribute) or not isinstance(expr.value, ast.Name):
            return None
        owner = expr.value.id
        class_name = ctx.scope.class_qualname or ctx.class_name
        if expr.attr == "kwargs":
            return ("kwargs", None) if owner == "self" and class_name else None
        if expr.attr not in VALIDATED_DATA:
            return None
        if owner == "self":
            return "cleaned_data", class_name
        found = ctx.lookup(owner)
        if found is None:
            return "cleaned_data", None
        binding = found[0]
        if binding.kind == "param" and class_name is not None:
            return "cleaned_data", self.form_classes.get(class_name)
        return "cleaned_data", binding.instance_of

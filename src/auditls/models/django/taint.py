"""What the Django model tells the taint engine: the URL kwargs each view receives, and the
sink kinds each read of validated form data or of a URL kwarg cannot attack.

1. **URL kwargs.** Every endpoint's full pattern (prefixes of ``include()`` joined) names its
   kwargs. A ``path()`` converter decides what a kwarg can hold (``URL_CONVERTER_HARMLESS``:
   ``<int:pk>`` and ``<uuid:id>`` nothing harmful, ``<slug:s>`` nothing for SQL, HTML, paths,
   headers...; ``<str:x>``, ``<path:p>`` and converters the project registers anything); a
   ``re_path()`` group decides by its regex: digits only (``\\d+``, ``[0-9]{4}``) hold nothing
   harmful, one character class of letters, digits, ``_`` and ``-`` (``[-\\w]+``) is a slug,
   anything else is request text. A DRF router's viewset gets ``pk`` (``[^/.]+``), or its
   ``lookup_url_kwarg`` / ``lookup_field`` matched by its ``lookup_value_regex``. A view
   reached by several patterns takes, per kwarg, what every pattern makes harmless.
2. **Who receives them.** A function view: its parameters of those names. A class view (and
   the workspace classes it inherits from): ``self.kwargs`` in every method, and in a handler
   (``def get(self, request, ...)``) the parameters of those names and its ``**kwargs``. Its
   ``form_valid(self, form)`` / ``form_invalid`` receive a form bound to ``request.POST``, a
   DRF view's ``perform_create(self, serializer)`` / ``perform_update`` a serializer bound to
   ``request.data`` (``BOUND_FORM_METHODS``): request data too.
3. **Keyed reads.** ``self.kwargs["pk"]`` / ``kwargs.get("slug")`` take that kwarg's kinds (a
   key no pattern captures is not request data); ``form.cleaned_data["age"]`` takes what the
   form's field makes harmless (``FORM_FIELD_HARMLESS``; a ``ModelForm``'s undeclared fields
   from the model's field types, ``MODEL_FORM_FIELDS``). ``cleaned_data`` only ever holds the
   fields that validated, so ``form.is_valid()`` is not needed as a guard (and is no
   sanitizer: a ``CharField``'s cleaned value is the submitted text).
4. **Fetches.** A queryset chain off a model's manager made only of methods that fetch
   (``Product.objects.get(slug=slug)``) returns the database's rows: its result does not carry
   its arguments (the engine takes it as a value it cannot vouch for, never as clean).
5. **Middleware.** An attribute that active project middleware stores on the request from the
   request's own data (``request.tenant = request.headers.get(...)``, through locals and
   method calls) is request data in every view (``middleware_attributes``).
6. **Signals.** A ``send`` of a signal with receivers calls each receiver the model connects
   to it (``@receiver``, ``connect``, across apps) with its keyword arguments; a model's
   ``save()`` (``objects.create(...)``) calls the ``pre_save`` / ``post_save`` receivers for
   its class (``sender=``, or none) with the object as ``instance``.
7. **Templates.** A call that renders a template named by a literal (``render(request,
   "shop/search.html", {"q": q})``) writes each context key the template outputs unescaped
   (``{{ q|safe }}``, ``{% autoescape off %}``; in the templates it extends or includes too)
   into the page: that key's value is an XSS sink there, with the template's line as the
   path's last step (``renders``). A name is found as Django's loaders find it: a template
   file whose path ends in ``templates/<name>``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from auditls.facts.core import CallFact, ParamFact
from auditls.facts.django import DjangoDataReadFact, DjangoRenderFact, DjangoTemplateFact
from auditls.facts.taint import FlowFact
from auditls.knowledge.django import (
    BOUND_FORM_METHODS,
    FORM_FIELD_HARMLESS,
    HARMLESS_ALL,
    HARMLESS_SLUG,
    MODEL_FORM_FIELDS,
    QUERYSET_FETCHES,
    ROUTER_LOOKUP,
    ROUTER_LOOKUP_HARMLESS,
    URL_CONVERTER_HARMLESS,
)
from auditls.models.django.model import DjangoModel, Endpoint

_NOTHING: frozenset[str] = frozenset()
_SAVE_SIGNALS = ("django.db.models.signals.pre_save", "django.db.models.signals.post_save")
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")
_GROUP = re.compile(r"\(\?P<(\w+)>")
_QUANTIFIER = re.compile(r"(?:[+*?]|\{\d*(?:,\d*)?\})\??$")
_DIGIT_TOKENS = re.compile(r"^(?:\\d|\d-\d|\d)+$")
_SLUG_TOKENS = re.compile(r"^(?:\\[wd]|[a-zA-Z]-[a-zA-Z]|\d-\d|[a-zA-Z0-9_]|-)+$")
_FIELD = re.compile(r"(\w+):(\w+)")
_QUOTED = re.compile(r"[\"']([A-Za-z_]\w*)[\"']")


def meet(a: frozenset[str], b: frozenset[str]) -> frozenset[str]:
    """What both make harmless (``{"*"}``: every kind)."""
    if "*" in a:
        return b
    if "*" in b:
        return a
    return a & b


def _group_body(pattern: str, start: int) -> str:
    """The regex of a named group whose body starts at ``start`` (up to its closing paren)."""
    depth, i, in_class = 0, start, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if in_class:
            in_class = c != "]"
        elif c == "[":
            in_class = True
        elif c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                return pattern[start:i]
            depth -= 1
        i += 1
    return pattern[start:]


def regex_harmless(body: str) -> frozenset[str]:
    """What a regex group's match cannot attack: digits only, nothing; a slug's characters,
    ``HARMLESS_SLUG``; anything else, nothing harmless."""
    atom = _QUANTIFIER.sub("", body)
    if atom.startswith("[") and atom.endswith("]") and not atom.startswith("[^"):
        atom = atom[1:-1]
    elif atom not in ("\\d", "\\w"):
        return _NOTHING
    if _DIGIT_TOKENS.match(atom):
        return HARMLESS_ALL
    if _SLUG_TOKENS.match(atom):
        return HARMLESS_SLUG
    return _NOTHING


def kwargs_harmless(endpoint: Endpoint, lookup: str | None = None) -> dict[str, frozenset[str]]:
    """The URL kwargs of one endpoint -> what each cannot attack (``lookup``: a DRF viewset's
    ``name`` or ``name:regex`` for its router's detail routes)."""
    out: dict[str, frozenset[str]] = {}
    pattern = endpoint.pattern
    for converter, name in _CONVERTER.findall(_GROUP.sub("(", pattern)):
        out[name] = URL_CONVERTER_HARMLESS.get(converter or "str", _NOTHING)
    for match in _GROUP.finditer(pattern):
        out[match.group(1)] = regex_harmless(_group_body(pattern, match.end()))
    if endpoint.site.fact.kind == "register":  # DRF router: the detail routes' lookup
        name, harmless = ROUTER_LOOKUP, ROUTER_LOOKUP_HARMLESS
        if lookup:
            name, _, regex = lookup.partition(":")
            harmless = regex_harmless(regex) if regex else harmless
        out.setdefault(name, harmless)
    return out


@dataclass(frozen=True, slots=True)
class Unescaped:
    """A context key a rendered template writes out unescaped (step 7)."""

    key: str  # the context key
    value: str  # what the render call puts there: "name:x" (a local) or "*" (the argument)
    path: str  # the template writing it out
    line: int
    col: int
    text: str  # the output as written (``{{ q|safe }}``)


@dataclass(frozen=True, slots=True)
class RenderSink:
    """A render call whose template writes context values out unescaped (step 7)."""

    position: int  # the context argument's position
    keyword: str  # and keyword
    outputs: tuple[Unescaped, ...]


@dataclass(slots=True)
class DjangoTaint:
    """What the taint engine takes from the Django model (``auditls.taint``'s ``Program``
    applies it to its units)."""

    #: A function view, or a class view and each workspace class it inherits from -> its URL
    #: kwargs -> the sink kinds each cannot attack (over every pattern that reaches it).
    kwargs: dict[str, dict[str, frozenset[str]]] = field(default_factory=dict)
    #: A class view reached by the URL conf (and each workspace class it inherits from) -> its
    #: methods Django calls with a bound form or serializer -> that data's source.
    bound: dict[str, dict[str, str]] = field(default_factory=dict)
    #: A handler method -> the name of its ``**`` parameter.
    spreads: dict[str, str] = field(default_factory=dict)
    #: A function -> a mapping as written (``form.cleaned_data``, ``self.kwargs``) -> the lines
    #: it is read on, each with what that read cannot attack.
    reads: dict[str, dict[str, list[tuple[int, frozenset[str]]]]] = field(default_factory=dict)
    #: A function -> the spans (line, col, end line, end col) of its queryset chains that only
    #: fetch (``QUERYSET_FETCHES``): their result is the database's, not their arguments'.
    fetches: dict[str, set[tuple[int, int, int, int]]] = field(default_factory=dict)
    #: A function -> its send calls of signals that have receivers (``@receiver``,
    #: ``connect``), by the call's position: (line, col) -> the receivers, which the send
    #: calls with its keyword arguments.
    sends: dict[str, dict[tuple[int, int], tuple[str, ...]]] = field(default_factory=dict)
    #: Attributes that project middleware (in a settings module's ``MIDDLEWARE``) stores on the
    #: request from the request's own data (``request.tenant = request.headers[...]``): every
    #: view behind it reads request data there.
    request_attrs: frozenset[str] = frozenset()
    #: A model class (resolved; "*" for every model) -> the receivers of ``pre_save`` /
    #: ``post_save`` for it: ``obj.save()`` and ``Model.objects.create(...)`` call them with
    #: the saved object as ``instance``.
    saves: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: A function -> its render calls whose template writes context values out unescaped, by
    #: the call's position (line, col).
    renders: dict[str, dict[tuple[int, int], RenderSink]] = field(default_factory=dict)


def _merge_kwargs(into: dict[str, frozenset[str]], more: dict[str, frozenset[str]]) -> None:
    for name, harmless in more.items():
        into[name] = meet(into[name], harmless) if name in into else harmless


class _Forms:
    """Form classes -> field -> what its cleaned value cannot attack."""

    def __init__(self, model: DjangoModel) -> None:
        self.model = model
        self.forms = {s.fact.qualname: s.fact for s in model.forms}
        self.models = {s.fact.qualname: s.fact for s in model.models}
        self._cache: dict[str, dict[str, frozenset[str]]] = {}

    def _model_fields(self, ref: str, depth: int = 0) -> dict[str, str]:
        fact = self.models.get(ref) or self.models.get(self.model.link.resolve(ref))
        if fact is None or depth > 8:
            return {}
        out: dict[str, str] = {}
        for base in fact.bases:
            out.update(self._model_fields(base, depth + 1))
        for text in fact.fields:
            found = _FIELD.match(text)
            if found:
                out[found.group(1)] = found.group(2)
        return out

    def fields(self, ref: str) -> dict[str, frozenset[str]]:
        if ref in self._cache:
            return self._cache[ref]
        form = self.forms.get(ref) or self.forms.get(self.model.link.resolve(ref))
        out: dict[str, frozenset[str]] = {}
        if form is not None:
            if form.kind in ("modelform", "modelserializer") and form.model:
                model_fields = self._model_fields(form.model)
                text = form.meta_fields or ""
                named = set(_QUOTED.findall(text)) - {"__all__"}
                wanted = named if named and not form.exclude else set(model_fields)
                for name in wanted:
                    harmless = FORM_FIELD_HARMLESS.get(MODEL_FORM_FIELDS.get(model_fields.get(
                        name, ""), ""))  # fmt: skip
                    if harmless is not None:
                        out[name] = harmless
            for text in form.fields:
                name, _, cls = text.partition(":")
                harmless = FORM_FIELD_HARMLESS.get(cls)
                if harmless is None:
                    out.pop(name, None)
                else:
                    out[name] = harmless
        self._cache[ref] = out
        return out


def middleware_attributes(model: DjangoModel) -> frozenset[str]:
    """Step 5: the request attributes the project's active middleware set from request data.

    In each hook of a middleware class that ``MIDDLEWARE`` names (``__call__``,
    ``process_request``, ``process_view``), or in the inner function a middleware factory
    returns, a store into ``<request>.<attr>`` whose value reads the request (an attribute or a
    method of it, directly or through locals assigned from one) makes ``<attr>`` request data.
    """
    active = model.middleware_entries
    out: set[str] = set()
    for site in model.middleware:
        mw = site.fact
        if mw.qualname not in active and model.link.resolve(mw.qualname) not in active:
            continue
        ff = model.link.whole_file(site.path)
        if ff is None:
            continue
        prefix = mw.qualname + "."
        hooks: dict[str, list[FlowFact]] = defaultdict(list)
        calls: dict[tuple[str, int], str] = {}
        params: dict[str, list[str]] = defaultdict(list)
        for fact in ff.facts:
            if isinstance(fact, FlowFact) and fact.function.startswith(prefix):
                hooks[fact.function].append(fact)
            elif isinstance(fact, CallFact) and fact.function.startswith(prefix):
                calls[(fact.function, fact.call_id)] = fact.callee_text
            elif isinstance(fact, ParamFact) and fact.function.startswith(prefix):
                params[fact.function].append(fact.name)
        for function, rows in hooks.items():
            names = [p for p in params.get(function, ()) if p != "self"]
            request = next((p for p in names if p in ("request", "req", "r")), None)
            if request is None:
                continue
            feeding: dict[int, list[FlowFact]] = defaultdict(list)  # a call's receiver, args
            for row in rows:
                if row.target in ("receiver", "arg") and row.call_id is not None:
                    feeding[row.call_id].append(row)
            tainted: set[str] = set()
            seen: dict[int, bool] = {}

            def reads(
                items: Iterable[str],
                fn: str = function,
                req: str = request,
                held: set[str] = tainted,
                memo: dict[int, bool] = seen,
                fed: dict[int, list[FlowFact]] = feeding,
                texts: dict[tuple[str, int], str] = calls,
            ) -> bool:
                """Whether a value made of ``items`` reads the request (a call's result
                carries what its receiver and arguments do)."""
                for item in items:
                    if item.startswith(f"attr:{req}.") or item in held:
                        return True
                    if item.startswith("call:") and item[5:].isdigit():
                        call_id = int(item[5:])
                        if call_id not in memo:
                            memo[call_id] = False  # a call inside its own arguments
                            memo[call_id] = texts.get((fn, call_id), "").startswith(
                                req + "."
                            ) or any(reads(r.inputs) for r in fed.get(call_id, ()))
                        if memo[call_id]:
                            return True
                return False  # fmt: skip

            for row in rows:
                if not reads(row.inputs):
                    continue
                if row.target.startswith("name:"):
                    tainted.add(row.target)
                elif row.target.startswith(f"attr:{request}."):
                    attr = row.target[len(f"attr:{request}.") :]
                    if attr.isidentifier():
                        out.add(attr)
    return frozenset(out)


_MAX_TEMPLATE_DEPTH = 10


def renders(model: DjangoModel) -> dict[str, dict[tuple[int, int], RenderSink]]:
    """Step 7: the render calls whose templates write context values out unescaped."""
    calls = model.link.sites(DjangoRenderFact)
    if not calls:
        return {}
    by_name: dict[str, list[str]] = defaultdict(list)  # "shop/list.html" -> template paths
    facts: dict[str, list[DjangoTemplateFact]] = defaultdict(list)
    for site in model.link.sites(DjangoTemplateFact):
        facts[site.path].append(site.fact)
    for path in facts:
        parts = path.split("/")
        for i, part in enumerate(parts[:-1]):
            if part == "templates":
                by_name["/".join(parts[i + 1 :])].append(path)

    def outputs(name: str) -> list[tuple[str, DjangoTemplateFact]]:
        found: list[tuple[str, DjangoTemplateFact]] = []
        todo, seen = [(name, 0)], set()
        while todo:
            current, depth = todo.pop()
            for path in by_name.get(current, ()):
                if path in seen or depth > _MAX_TEMPLATE_DEPTH:
                    continue
                seen.add(path)
                for fact in facts[path]:
                    if fact.kind == "unescaped":
                        found.append((path, fact))
                    elif not fact.why:  # extends / include of a literal name
                        todo.append((fact.name, depth + 1))
        return found

    out: dict[str, dict[tuple[int, int], RenderSink]] = {}
    for call in calls:
        r = call.fact
        values = dict(item.split("=", 1) for item in r.items)
        spread = "**" in values
        reached: dict[str, Unescaped] = {}
        for name in r.templates:
            for path, fact in outputs(name):
                value = "*" if r.whole else values.get(fact.name, "*" if spread else None)
                if value is None or fact.name in reached:
                    continue
                reached[fact.name] = Unescaped(
                    fact.name, value, path, fact.line, fact.col, fact.text
                )
        if reached:
            sink = RenderSink(r.position, r.keyword, tuple(reached.values()))
            out.setdefault(r.function, {})[(r.line, r.col)] = sink
    return out


def django_taint(model: DjangoModel) -> DjangoTaint:
    """Steps 1 to 3 of the module docstring."""
    out = DjangoTaint()
    for endpoint in model.endpoints:
        if endpoint.admin:
            continue
        site = model.views.get(endpoint.view)
        if site is None:
            continue
        view = site.fact
        receivers = [endpoint.view]
        if view.kind == "class":
            receivers += [model.resolve_view(b) for b in model.mro_of(view)]
            for receiver in receivers:
                out.bound[receiver] = BOUND_FORM_METHODS
        lookups = [v.fact.lookup for r in receivers if (v := model.views.get(r)) and v.fact.lookup]
        found = kwargs_harmless(endpoint, lookups[0] if lookups else None)
        for receiver in dict.fromkeys(receivers) if found else ():
            _merge_kwargs(out.kwargs.setdefault(receiver, {}), found)
    forms = _Forms(model)
    reads: dict[str, dict[str, list[tuple[int, frozenset[str]]]]] = defaultdict(dict)
    for read in model.link.sites(DjangoDataReadFact):
        f = read.fact
        if f.role == "spread":
            out.spreads[f.function] = f.chain
            continue
        if f.role == "kwargs":
            kwargs = out.kwargs.get(f.function.rpartition(".")[0])
            if kwargs is None:
                continue
            harmless = _NOTHING if f.key is None else kwargs.get(f.key, HARMLESS_ALL)
        else:
            fields = forms.fields(f.form) if f.form else {}
            harmless = fields.get(f.key, _NOTHING) if f.key is not None else _NOTHING
        reads[f.function].setdefault(f.chain, []).append((f.line, harmless))
    out.reads = dict(reads)
    for qs in model.querysets:
        q = qs.fact
        if q.chain and QUERYSET_FETCHES.issuperset(q.chain) and not q.raw:
            out.fetches.setdefault(q.function, set()).add((q.line, q.col, q.end_line, q.end_col))
    out.request_attrs = middleware_attributes(model)
    out.renders = renders(model)
    saves: dict[str, list[str]] = defaultdict(list)
    for key in _SAVE_SIGNALS:
        for connected in model.signals.get(key, ()):
            hook = connected.fact
            if hook.role in ("receiver", "connect") and hook.handler:
                sender = model.link.resolve(hook.sender) if hook.sender else "*"
                saves[sender].append(model.link.resolve(hook.handler))
    out.saves = {k: tuple(dict.fromkeys(v)) for k, v in saves.items()}
    for sites in model.signals.values():
        handlers = tuple(dict.fromkeys(
            model.link.resolve(s.fact.handler)
            for s in sites
            if s.fact.role in ("receiver", "connect") and s.fact.handler
        ))  # fmt: skip
        if not handlers:
            continue
        for row in sites:
            send = row.fact
            if send.role == "send":
                out.sends.setdefault(send.function, {})[(send.line, send.col)] = handlers
    return out

"""Fact dataclasses of the Django extractors (INVENTORY.md, Phase 2 Django and Phase 3 Block 4).

Same conventions as ``auditls.facts``: frozen, slotted, keyword-only, one table each, every field
commented on its line (``docs/schema.md`` is generated from these comments).

Extraction sees one file, so a fact names the objects it involves by *reference*: the dotted
name the semantic model resolves (``shop.views.checkout``, ``django.db.models.signals.post_save``)
or, for a local name, ``<module>.<name>``. ``auditls.models.django`` follows references across
files (URL includes, views imported into ``urls.py``, a signal defined in one app and connected in
another) with the workspace linker.
"""

from __future__ import annotations

from typing import ClassVar

from auditls.facts import Fact, fact


@fact
class DjangoUrlFact(Fact):
    """One entry of a URL conf: ``path()``, ``re_path()``, ``url()``, ``include()``, a DRF
    router's ``register()``, or a module's ``app_name``."""

    TABLE: ClassVar[str] = "python_django_urls"

    function: str  # enclosing function's qualified name (module name at top level)
    urlconf: str | None  # the list the entry is written in (`urlpatterns`, `api_urls`), if any
    kind: str  # path | re_path | include | register | app_name
    pattern: str | None  # the route or regex when it is a literal (register: the prefix)
    view: str | None  # the view's reference (a class for `.as_view()` and for register)
    view_text: str | None  # the view argument as written
    as_view: bool  # the view is `SomeView.as_view(...)` (a class-based view)
    name: str | None  # the `name=` of the pattern (register: the basename); app_name's value
    include: str | None  # what include() names: a dotted module, or a reference (router.urls)
    namespace: str | None  # include(..., namespace=...) or the tuple form's app name
    router: str | None  # the DRF router's reference (register, and include(router.urls))
    wrappers: tuple[str, ...]  # decorators called around the view in the URL conf, outermost first


@fact
class DjangoViewFact(Fact):
    """A view: a function taking the request first, or a class built on a Django or DRF view."""

    TABLE: ClassVar[str] = "python_django_views"

    qualname: str  # the function's or class's qualified name
    kind: str  # function | class
    bases: tuple[str, ...]  # resolved bases in MRO order as written (class views)
    methods: tuple[str, ...]  # HTTP methods handled ("GET", "POST"...; "*" when any)
    decorators: tuple[str, ...]  # resolved decorators; for classes also method_decorator targets
    request_param: str | None  # the request parameter's name (functions)
    url_params: tuple[str, ...]  # the parameters after the request: URL kwargs (functions)
    writes: bool  # the body calls an ORM write (save, delete, create, qs.update(...)...)
    user_check: bool  # an `if` test reads `request.user` (is_authenticated, has_perm, is_staff)
    csrf: str | None  # exempt | protect, from decorators (csrf_exempt, method_decorator)
    permission_classes: tuple[str, ...]  # DRF permission classes (class attribute or decorator)
    drf: bool  # a DRF view (APIView, a ViewSet, a generic view, @api_view)
    actions: tuple[str, ...]  # DRF @action methods, "name:METHODS" (viewsets)
    lookup: str | None  # DRF viewsets: the routers' detail kwarg, "name" or "name:regex"


@fact
class DjangoSettingFact(Fact):
    """A Django setting assigned at module level in a settings module; or, in any module, the
    settings module ``DJANGO_SETTINGS_MODULE`` is set to (via ``environ``, value its name)."""

    TABLE: ClassVar[str] = "python_django_settings"

    name: str  # the setting (DEBUG, SECRET_KEY, MIDDLEWARE...)
    via: str  # assign | augment (`+=`) | append | insert | extend | remove | environ (below)
    value: str | None  # JSON of the value when it is a literal (a fallback for env_default)
    text: str  # the value as written, cut to 200 characters
    source: str  # literal | env | env_default | unknown
    items: tuple[str, ...]  # the string items of a list/tuple value (MIDDLEWARE, HOSTS...)


@fact
class DjangoSignalFact(Fact):
    """A Django signal defined, connected (``@receiver``, ``connect``), disconnected or sent."""

    TABLE: ClassVar[str] = "python_django_signals"

    function: str  # enclosing function's qualified name (module name at top level)
    role: str  # define | receiver | connect | disconnect | send
    signal: str  # the signal's reference (resolved: django.db.models.signals.post_save)
    signal_text: str  # the signal as written
    builtin: bool  # one of Django's own signals
    handler: str | None  # the receiver's reference (receiver, connect, disconnect)
    sender: str | None  # the sender= filter or argument's reference (as written if unresolved)
    dispatch_uid: str | None  # dispatch_uid= when it is a literal
    method: str | None  # send | send_robust | asend | asend_robust (send sites)
    keywords: tuple[str, ...]  # keyword arguments sent (send) or providing_args (define)


@fact
class DjangoModelFact(Fact):
    """A Django model class and its fields."""

    TABLE: ClassVar[str] = "python_django_models"

    qualname: str  # the model class's qualified name
    bases: tuple[str, ...]  # resolved bases
    abstract: bool  # Meta.abstract = True
    fields: tuple[str, ...]  # "name:Field[null,unique]", "name:ForeignKey->To[on_delete=X]"


@fact
class DjangoManagerFact(Fact):
    """A custom manager or queryset class, or a manager attached to a model."""

    TABLE: ClassVar[str] = "python_django_managers"

    role: str  # manager | queryset | attached
    qualname: str  # the class (manager, queryset) or the model (attached)
    name: str | None  # the attribute on the model (attached: "objects")
    manager: str | None  # the manager class or expression (attached)
    queryset: str | None  # the queryset of `as_manager()` / `from_queryset(QS)`
    bases: tuple[str, ...]  # resolved bases (manager, queryset)
    methods: tuple[str, ...]  # methods the class defines (manager, queryset)
    raw_sql: bool  # a method of the class calls raw(), extra(), RawSQL or cursor.execute


@fact
class DjangoQuerysetFact(Fact):
    """A queryset chain started from a model's manager (``Order.objects.filter(...).raw(...)``),
    recorded once at its outermost call."""

    TABLE: ClassVar[str] = "python_django_querysets"

    function: str  # enclosing function's qualified name (module name at top level)
    model: str  # the model's reference (as resolved; the name as written when unresolved)
    manager: str  # the manager attribute the chain starts from ("objects")
    chain: tuple[str, ...]  # the methods called, in order ("filter", "order_by", "raw")
    raw: bool  # the chain runs SQL text: raw(), extra(), or a RawSQL argument
    spread: str | None  # the `**kwargs` passed to a lookup method, as written
    spread_source: str | None  # "request" when that spread is the request's data itself


@fact
class DjangoFormFact(Fact):
    """A form or model form (and its fields), or a DRF serializer."""

    TABLE: ClassVar[str] = "python_django_forms"

    qualname: str  # the class's qualified name
    kind: str  # form | modelform | serializer | modelserializer
    model: str | None  # Meta.model (model forms and serializers)
    meta_fields: str | None  # Meta.fields as written ('"__all__"', a list...)
    exclude: bool  # Meta.exclude is set
    fields: tuple[str, ...]  # "name:FieldClass" per declared field


@fact
class DjangoAdminFact(Fact):
    """A model registered with the admin (``admin.site.register`` or ``@admin.register``)."""

    TABLE: ClassVar[str] = "python_django_admin"

    model: str  # the model's reference
    admin_class: str | None  # the ModelAdmin class's reference
    list_display: tuple[str, ...]  # list_display entries
    actions: tuple[str, ...]  # admin actions


@fact
class DjangoMiddlewareFact(Fact):
    """A middleware class or function defined in the project."""

    TABLE: ClassVar[str] = "python_django_middleware"

    qualname: str  # the class's or factory function's qualified name
    style: str  # new (__init__(get_response) / __call__) | mixin (MiddlewareMixin) | function
    hooks: tuple[str, ...]  # process_request, process_view, __call__... it implements
    user_check: bool  # it reads `request.user` in a test (an auth gate for every view)


@fact
class DjangoDataReadFact(Fact):
    """A read of a mapping whose keys say how clean the value is: validated form or serializer
    data (``form.cleaned_data["age"]``, ``serializer.validated_data.get("n")``) and a view's
    URL kwargs (``self.kwargs["slug"]``, ``kwargs["pk"]`` in a handler method); or a handler
    method's ``**kwargs`` parameter itself (role ``spread``). The taint engine cleans such a
    read by the form field's type or the URL converter (``auditls.models.django.taint``)."""

    TABLE: ClassVar[str] = "python_django_data_reads"

    function: str  # enclosing function's qualified name
    role: str  # cleaned_data | kwargs (a read) | spread (a handler's `**` parameter, at its def)
    chain: str  # the mapping as written: "form.cleaned_data", "self.kwargs", "kwargs"
    key: str | None  # the key when it is a literal (None: the whole mapping, or a computed key)
    form: str | None  # cleaned_data: the form or serializer class the object comes from, if known


@fact
class DjangoRenderFact(Fact):
    """A call that renders a template named by a literal with a context (``render(request,
    "shop/list.html", {"q": q})``, ``render_to_string``, ``TemplateResponse``); at the call's
    position. The taint engine takes the context's values that the template outputs unescaped
    for XSS sinks (``auditls.models.django.taint``)."""

    TABLE: ClassVar[str] = "python_django_renders"

    function: str  # enclosing function's qualified name
    callee: str  # the render function, resolved
    templates: tuple[str, ...]  # the template names (a list or tuple: each may be the one used)
    position: int  # the context argument's position
    keyword: str  # the context argument's keyword ("context")
    items: tuple[str, ...]  # dict literal: "key=name:x" (a local), "key=*" (other), "**=*" (spread)
    whole: bool  # the context is no dict literal (a name, a call): every key may be in it


@fact
class DjangoTemplateFact(Fact):
    """What a template file (``templates/**/*.html``, not Python: ``auditls.extractors.files``)
    does that matters for escaping: a variable output the engine will not escape (``{{ x|safe
    }}``, ``|safeseq``, any ``{{ x }}`` inside ``{% autoescape off %}``), and the templates it
    pulls in (``{% extends %}``, ``{% include %}``), which see its context."""

    TABLE: ClassVar[str] = "python_django_templates"

    kind: str  # unescaped (a variable output not escaped) | extends | include
    text: str  # the tag or output as written, cut to 200 characters
    name: str  # unescaped: the context variable read ("c" of c.body); else the template named
    why: str  # unescaped: safe | safeseq | autoescape off; else "" (a literal name) | dynamic


#: This domain's fact classes, in table order.
FACT_TYPES: tuple[type[Fact], ...] = (
    DjangoUrlFact,
    DjangoViewFact,
    DjangoSettingFact,
    DjangoSignalFact,
    DjangoModelFact,
    DjangoManagerFact,
    DjangoQuerysetFact,
    DjangoFormFact,
    DjangoAdminFact,
    DjangoMiddlewareFact,
    DjangoDataReadFact,
    DjangoRenderFact,
    DjangoTemplateFact,
)

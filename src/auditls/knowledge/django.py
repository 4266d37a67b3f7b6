"""Django and Django REST framework APIs as data: URL confs, views, auth, CSRF, settings,
signals, models, managers, forms, admin and middleware.

Every name is a qualified name as ``Context.qualname`` resolves it (``django.urls.path``,
``django.db.models.signals.post_save``); the extractors of ``auditls.extractors.django`` declare
the tables they read, so a file that never imports Django costs nothing.
"""

from __future__ import annotations

from auditls.knowledge import harmless

# -- URL confs -----------------------------------------------------------------------------------

#: URL functions -> the kind of entry they make.
URL_FUNCTIONS: dict[str, str] = {
    "django.urls.path": "path",
    "django.urls.re_path": "re_path",
    "django.urls.conf.path": "path",
    "django.urls.conf.re_path": "re_path",
    "django.conf.urls.url": "re_path",  # removed in Django 4.0, still in old projects
}
#: ``include()``.
INCLUDE_FUNCTIONS: frozenset[str] = frozenset(
    {"django.urls.include", "django.urls.conf.include", "django.conf.urls.include"}
)
#: DRF routers (and the common nested-router package).
ROUTERS: frozenset[str] = frozenset(
    {
        "rest_framework.routers.DefaultRouter",
        "rest_framework.routers.SimpleRouter",
        "rest_framework_nested.routers.NestedSimpleRouter",
        "rest_framework_nested.routers.NestedDefaultRouter",
    }
)
#: The methods of a router that register a viewset.
ROUTER_REGISTER = frozenset(f"{r}.register" for r in ROUTERS)
#: Admin URLs (``path("admin/", admin.site.urls)``): guarded by the admin itself.
ADMIN_URLS: frozenset[str] = frozenset(
    {"django.contrib.admin.site.urls", "django.contrib.admin.sites.site.urls"}
)

# -- views ---------------------------------------------------------------------------------------

_GENERIC = "django.views.generic"
_SAFE = ("GET", "HEAD", "OPTIONS")
_FORM = ("GET", "HEAD", "OPTIONS", "POST", "PUT")
_ALL = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")
_DRF_GEN = "rest_framework.generics"
_DRF_VS = "rest_framework.viewsets"

#: View base classes -> the HTTP methods they handle by themselves (a class's own ``get`` /
#: ``post``... methods add to these). ``View`` itself handles none.
VIEW_BASES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("django.views.View", "django.views.generic.View",
                     "django.views.generic.base.View"), ()),
    **dict.fromkeys((f"{_GENERIC}.TemplateView", f"{_GENERIC}.base.TemplateView",
                     f"{_GENERIC}.ListView", f"{_GENERIC}.list.ListView",
                     f"{_GENERIC}.DetailView", f"{_GENERIC}.detail.DetailView",
                     f"{_GENERIC}.ArchiveIndexView", f"{_GENERIC}.dates.ArchiveIndexView",
                     f"{_GENERIC}.YearArchiveView", f"{_GENERIC}.MonthArchiveView",
                     f"{_GENERIC}.DayArchiveView", f"{_GENERIC}.DateDetailView"), _SAFE),
    **dict.fromkeys((f"{_GENERIC}.RedirectView", f"{_GENERIC}.base.RedirectView"), _SAFE),
    **dict.fromkeys((f"{_GENERIC}.FormView", f"{_GENERIC}.edit.FormView",
                     f"{_GENERIC}.CreateView", f"{_GENERIC}.edit.CreateView",
                     f"{_GENERIC}.UpdateView", f"{_GENERIC}.edit.UpdateView",
                     "django.contrib.auth.views.LoginView",
                     "django.contrib.auth.views.PasswordChangeView",
                     "django.contrib.auth.views.PasswordResetView",
                     "django.contrib.auth.views.PasswordResetConfirmView"), _FORM),
    **dict.fromkeys((f"{_GENERIC}.DeleteView", f"{_GENERIC}.edit.DeleteView"),
                    ("GET", "HEAD", "OPTIONS", "POST", "DELETE")),
    "django.contrib.auth.views.LogoutView": ("GET", "POST"),
    # DRF: APIView handles what its methods define; generic views and viewsets by their mixins.
    **dict.fromkeys(("rest_framework.views.APIView", f"{_DRF_GEN}.GenericAPIView",
                     f"{_DRF_VS}.ViewSet", f"{_DRF_VS}.GenericViewSet",
                     f"{_DRF_VS}.ViewSetMixin"), ()),
    **dict.fromkeys((f"{_DRF_GEN}.ListAPIView", f"{_DRF_GEN}.RetrieveAPIView",
                     f"{_DRF_VS}.ReadOnlyModelViewSet"), _SAFE),
    f"{_DRF_GEN}.CreateAPIView": ("POST",),
    f"{_DRF_GEN}.UpdateAPIView": ("PUT", "PATCH"),
    f"{_DRF_GEN}.DestroyAPIView": ("DELETE",),
    f"{_DRF_GEN}.ListCreateAPIView": ("GET", "POST"),
    f"{_DRF_GEN}.RetrieveUpdateAPIView": ("GET", "PUT", "PATCH"),
    f"{_DRF_GEN}.RetrieveDestroyAPIView": ("GET", "DELETE"),
    f"{_DRF_GEN}.RetrieveUpdateDestroyAPIView": ("GET", "PUT", "PATCH", "DELETE"),
    f"{_DRF_VS}.ModelViewSet": _ALL,
    "rest_framework.mixins.ListModelMixin": ("GET",),
    "rest_framework.mixins.RetrieveModelMixin": ("GET",),
    "rest_framework.mixins.CreateModelMixin": ("POST",),
    "rest_framework.mixins.UpdateModelMixin": ("PUT", "PATCH"),
    "rest_framework.mixins.DestroyModelMixin": ("DELETE",),
}  # fmt: skip
#: The DRF bases among ``VIEW_BASES`` (a view built on one is a DRF view).
DRF_PACKAGES = ("rest_framework.",)
#: Method names that handle an HTTP method (class-based views) -> the method.
HANDLER_METHODS: dict[str, str] = {
    "get": "GET", "post": "POST", "put": "PUT", "patch": "PATCH", "delete": "DELETE",
    "head": "HEAD", "options": "OPTIONS",
    # DRF viewset actions.
    "list": "GET", "retrieve": "GET", "create": "POST", "update": "PUT",
    "partial_update": "PATCH", "destroy": "DELETE",
    # Form views: a valid form changes state.
    "form_valid": "POST",
}  # fmt: skip
#: Methods that make a change: the view changes state when it handles one.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE", "*"})

#: Decorators that restrict a function view's methods -> the methods (None: read the argument).
METHOD_DECORATORS: dict[str, tuple[str, ...] | None] = {
    "django.views.decorators.http.require_http_methods": None,
    "django.views.decorators.http.require_POST": ("POST",),
    "django.views.decorators.http.require_GET": ("GET",),
    "django.views.decorators.http.require_safe": ("GET", "HEAD"),
    "rest_framework.decorators.api_view": None,  # @api_view(["GET", "POST"]); bare: GET
}
#: DRF's function-view decorator and viewset action decorator.
API_VIEW = "rest_framework.decorators.api_view"
DRF_ACTIONS: frozenset[str] = frozenset(
    {"rest_framework.decorators.action", "rest_framework.decorators.detail_route",
     "rest_framework.decorators.list_route"}
)  # fmt: skip
#: ``method_decorator(dec, name=...)``: a decorator applied to a class-based view's method.
METHOD_DECORATOR = "django.utils.decorators.method_decorator"

#: Decorators and mixins that require a signed-in user (or more) -> what they require.
AUTH_DECORATORS: dict[str, str] = {
    "django.contrib.auth.decorators.login_required": "login_required",
    "django.contrib.auth.decorators.permission_required": "permission_required",
    "django.contrib.auth.decorators.user_passes_test": "user_passes_test",
    "django.contrib.admin.views.decorators.staff_member_required": "staff_member_required",
    "django.contrib.auth.decorators.login_not_required": "login_not_required (public)",
}
#: The decorator that makes a view public under LoginRequiredMiddleware (Django 5.1).
LOGIN_NOT_REQUIRED = "django.contrib.auth.decorators.login_not_required"
AUTH_MIXINS: dict[str, str] = {
    "django.contrib.auth.mixins.LoginRequiredMixin": "LoginRequiredMixin",
    "django.contrib.auth.mixins.PermissionRequiredMixin": "PermissionRequiredMixin",
    "django.contrib.auth.mixins.UserPassesTestMixin": "UserPassesTestMixin",
}
#: DRF permission classes that let anyone in (for unsafe methods, too).
DRF_OPEN_PERMISSIONS: frozenset[str] = frozenset(
    {"rest_framework.permissions.AllowAny", "AllowAny"}
)
#: DRF permission classes that let anyone read but not write.
DRF_READ_ONLY_PERMISSIONS: frozenset[str] = frozenset(
    {"rest_framework.permissions.IsAuthenticatedOrReadOnly",
     "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"}
)  # fmt: skip
#: DRF attributes naming permission classes.
PERMISSION_ATTRIBUTES = ("permission_classes",)
DRF_PERMISSION_DECORATOR = "rest_framework.decorators.permission_classes"

#: CSRF decorators -> exempt | protect.
CSRF_DECORATORS: dict[str, str] = {
    "django.views.decorators.csrf.csrf_exempt": "exempt",
    "django.views.decorators.csrf.csrf_protect": "protect",
    "django.views.decorators.csrf.requires_csrf_token": "protect",
}

#: Methods (on any object) that write through the ORM, and the raw SQL ones.
ORM_WRITES: frozenset[str] = frozenset(
    {"save", "delete", "create", "update", "bulk_create", "bulk_update", "get_or_create",
     "update_or_create", "set_password", "add", "remove", "clear"}
)  # fmt: skip
RAW_SQL_METHODS: frozenset[str] = frozenset({"raw", "extra", "execute", "executemany"})
RAW_SQL_CALLS: frozenset[str] = frozenset(
    {"django.db.models.expressions.RawSQL", "django.db.models.RawSQL"}
)
#: Attributes of ``request.user`` whose test is an identity or permission check.
USER_CHECKS: frozenset[str] = frozenset(
    {"is_authenticated", "is_anonymous", "is_staff", "is_superuser", "has_perm", "has_perms",
     "is_active"}
)  # fmt: skip
#: The request classes a view's parameter may be annotated with.
REQUEST_CLASSES: frozenset[str] = frozenset(
    {"django.http.HttpRequest", "django.http.request.HttpRequest",
     "django.core.handlers.wsgi.WSGIRequest", "rest_framework.request.Request"}
)  # fmt: skip

# -- settings ------------------------------------------------------------------------------------

#: Settings that mark a module as Django settings without a guess from its name.
SETTINGS_MARKERS: tuple[str, ...] = ("INSTALLED_APPS", "ROOT_URLCONF")
#: The environment variable naming the settings module (``manage.py``, ``wsgi.py``).
SETTINGS_MODULE_VARIABLE = "DJANGO_SETTINGS_MODULE"
#: The settings recorded (exact names) and prefixes (every setting starting with one).
SETTINGS: frozenset[str] = frozenset(
    {"DEBUG", "SECRET_KEY", "SECRET_KEY_FALLBACKS", "ALLOWED_HOSTS", "MIDDLEWARE",
     "MIDDLEWARE_CLASSES", "INSTALLED_APPS", "ROOT_URLCONF", "REST_FRAMEWORK",
     "PASSWORD_HASHERS", "AUTH_PASSWORD_VALIDATORS", "X_FRAME_OPTIONS", "LOGIN_URL",
     "AUTHENTICATION_BACKENDS", "DEFAULT_AUTO_FIELD", "WSGI_APPLICATION", "TEMPLATES"}
)  # fmt: skip
SETTING_PREFIXES: tuple[str, ...] = ("CSRF_", "SESSION_", "SECURE_", "CORS_", "LANGUAGE_COOKIE_")
#: Calls that read the environment: ``os.environ.get``, ``os.getenv``, django-environ, decouple.
ENV_READS: frozenset[str] = frozenset(
    {"os.environ.get", "os.getenv", "os.environ.setdefault", "decouple.config",
     "environ.Env", "environ.Env.str", "environ.Env.bool", "environ.Env.list",
     "environ.Env.int", "environ.Env.get_value"}
)  # fmt: skip
ENV_MAPPINGS: frozenset[str] = frozenset({"os.environ"})

#: MIDDLEWARE entries the settings rules look for.
CSRF_MIDDLEWARE = "django.middleware.csrf.CsrfViewMiddleware"
SECURITY_MIDDLEWARE: dict[str, str] = {
    "django.middleware.security.SecurityMiddleware": "HSTS, the SSL redirect and the "
    "nosniff header (`SECURE_*` settings) are never applied",
    "django.middleware.clickjacking.XFrameOptionsMiddleware": "pages can be framed by other "
    "sites (clickjacking)",
}
AUTH_MIDDLEWARE = "django.contrib.auth.middleware.AuthenticationMiddleware"
LOGIN_REQUIRED_MIDDLEWARE = "django.contrib.auth.middleware.LoginRequiredMiddleware"
#: Settings whose False (or missing, in production settings) lets a cookie go over plain HTTP or
#: to scripts, and the HSTS settings -> what it means.
COOKIE_SETTINGS: dict[str, str] = {
    "SESSION_COOKIE_SECURE": "the session cookie is sent over plain HTTP",
    "CSRF_COOKIE_SECURE": "the CSRF cookie is sent over plain HTTP",
    "SESSION_COOKIE_HTTPONLY": "scripts can read the session cookie",
}
HSTS_SETTINGS: dict[str, str] = {
    "SECURE_HSTS_SECONDS": "browsers are not told to use HTTPS only (HSTS)",
    "SECURE_SSL_REDIRECT": "plain HTTP requests are served, not redirected to HTTPS",
}
#: Password hashers that are fast or broken (as the first PASSWORD_HASHERS entry, they hash).
WEAK_HASHERS: frozenset[str] = frozenset(
    f"django.contrib.auth.hashers.{h}"
    for h in ("MD5PasswordHasher", "SHA1PasswordHasher", "UnsaltedMD5PasswordHasher",
              "UnsaltedSHA1PasswordHasher", "CryptPasswordHasher")
)  # fmt: skip
#: REST_FRAMEWORK keys read for DRF views without their own.
DRF_DEFAULT_PERMISSIONS = "DEFAULT_PERMISSION_CLASSES"

# -- signals -------------------------------------------------------------------------------------

_SIG = "django.db.models.signals"
#: Django's own signals (resolved).
BUILTIN_SIGNALS: frozenset[str] = frozenset(
    {f"{_SIG}.{s}" for s in ("pre_init", "post_init", "pre_save", "post_save", "pre_delete",
                             "post_delete", "m2m_changed", "pre_migrate", "post_migrate",
                             "class_prepared")}
    | {f"django.core.signals.{s}" for s in ("request_started", "request_finished",
                                            "got_request_exception", "setting_changed")}
    | {f"django.contrib.auth.signals.{s}" for s in ("user_logged_in", "user_logged_out",
                                                     "user_login_failed")}
    | {"django.test.signals.setting_changed", "django.db.backends.signals.connection_created",
       "django.test.signals.template_rendered"}
)  # fmt: skip
#: Classes whose instances are signals.
SIGNAL_CLASSES: frozenset[str] = frozenset(
    {"django.dispatch.Signal", "django.dispatch.dispatcher.Signal"}
)
RECEIVER_DECORATORS: frozenset[str] = frozenset(
    {"django.dispatch.receiver", "django.dispatch.dispatcher.receiver"}
)
#: Methods of a signal: connect/disconnect and the send methods.
SIGNAL_CONNECT = frozenset({"connect", "disconnect"})
SIGNAL_SENDS = frozenset({"send", "send_robust", "asend", "asend_robust"})
#: What a signal's methods resolve to when the signal is a builtin or a Signal instance.
SIGNAL_METHOD_NAMES = SIGNAL_CONNECT | SIGNAL_SENDS

# -- models, managers, forms, admin, middleware --------------------------------------------------

MODEL_BASES: frozenset[str] = frozenset({"django.db.models.Model", "django.db.models.base.Model"})
#: Field modules: ``models.CharField`` resolves to ``django.db.models.CharField``.
FIELD_PREFIXES = ("django.db.models.", "django.contrib.postgres.fields.")
RELATION_FIELDS: frozenset[str] = frozenset({"ForeignKey", "OneToOneField", "ManyToManyField"})
MANAGER_BASES: frozenset[str] = frozenset(
    {"django.db.models.Manager", "django.db.models.manager.Manager",
     "django.db.models.manager.BaseManager", "django.contrib.auth.models.BaseUserManager",
     "django.contrib.auth.base_user.BaseUserManager", "django.contrib.auth.models.UserManager"}
)  # fmt: skip
QUERYSET_BASES: frozenset[str] = frozenset(
    {"django.db.models.QuerySet", "django.db.models.query.QuerySet"}
)
FORM_BASES: dict[str, str] = {
    "django.forms.Form": "form",
    "django.forms.forms.Form": "form",
    "django.forms.ModelForm": "modelform",
    "django.forms.models.ModelForm": "modelform",
    "django.contrib.auth.forms.UserCreationForm": "modelform",
    "django.contrib.auth.forms.UserChangeForm": "modelform",
    "rest_framework.serializers.Serializer": "serializer",
    "rest_framework.serializers.ModelSerializer": "modelserializer",
    "rest_framework.serializers.HyperlinkedModelSerializer": "modelserializer",
}
FORM_FIELD_PREFIXES = ("django.forms.", "rest_framework.serializers.")
ADMIN_REGISTER: frozenset[str] = frozenset(
    {"django.contrib.admin.site.register", "django.contrib.admin.sites.site.register"}
)
ADMIN_DECORATORS: frozenset[str] = frozenset({"django.contrib.admin.register"})
MIDDLEWARE_BASES: frozenset[str] = frozenset({"django.utils.deprecation.MiddlewareMixin"})
MIDDLEWARE_HOOKS: frozenset[str] = frozenset(
    {"process_request", "process_view", "process_response", "process_exception",
     "process_template_response", "__call__"}
)  # fmt: skip

#: The names a view's request parameter usually has (the ``request-parameter`` heuristic of
#: ``knowledge.heuristics`` decides; this table lets the pre-filter find such files).
REQUEST_PARAMETER_NAMES: frozenset[str] = frozenset({"request", "req", "http_request"})

#: QuerySet methods: a chain off ``Model.<manager>`` starting with one of these is a queryset.
QUERYSET_METHODS: frozenset[str] = frozenset(
    {"all", "filter", "exclude", "get", "create", "raw", "extra", "annotate", "alias", "values",
     "values_list", "order_by", "update", "delete", "aggregate", "select_related",
     "prefetch_related", "get_or_create", "update_or_create", "bulk_create", "bulk_update",
     "count", "exists", "first", "last", "only", "defer", "distinct", "using", "none", "in_bulk",
     "iterator", "latest", "earliest", "union", "intersection", "difference", "dates",
     "datetimes", "select_for_update", "reverse", "contains", "explain"}
)  # fmt: skip
#: QuerySet methods whose result is rows (or counts) of the database, never the values passed
#: to them: a chain off a manager made only of these returns no request data, whatever its
#: lookups (``Product.objects.get(slug=slug)``). Not ``create``, ``get_or_create``,
#: ``update_or_create`` (the new row holds the values), ``annotate``, ``alias``, ``extra``,
#: ``raw`` (they can select a value back).
QUERYSET_FETCHES: frozenset[str] = frozenset(
    {"all", "filter", "exclude", "get", "first", "last", "order_by", "select_related",
     "prefetch_related", "only", "defer", "distinct", "using", "none", "in_bulk", "iterator",
     "latest", "earliest", "exists", "count", "values", "values_list", "dates", "datetimes",
     "select_for_update", "reverse", "contains", "union", "intersection", "difference"}
)  # fmt: skip
#: Methods whose ``**kwargs`` are field lookups (``filter(**{"password__startswith": "a"})``).
LOOKUP_METHODS: frozenset[str] = frozenset(
    {"filter", "exclude", "get", "get_or_create", "update_or_create", "create", "update",
     "annotate", "aggregate"}
)  # fmt: skip
#: Request data a client fills with any keys it likes (as written off the request parameter).
REQUEST_MAPPINGS: frozenset[str] = frozenset({"GET", "POST", "data", "query_params", "COOKIES"})


# -- what validated data and URL kwargs cannot attack (the taint engine's sanitizers) ----------

#: Attributes holding a form's or serializer's validated data (``form.cleaned_data``).
VALIDATED_DATA: frozenset[str] = frozenset({"cleaned_data", "validated_data"})
#: Methods of a class view (or DRF view) that Django calls with a form (serializer) bound to
#: the request's data -> that data's source, as the taint models name it.
BOUND_FORM_METHODS: dict[str, str] = {
    "form_valid": "django.http.HttpRequest.POST",
    "form_invalid": "django.http.HttpRequest.POST",
    "perform_create": "rest_framework.request.Request.data",
    "perform_update": "rest_framework.request.Request.data",
}
#: Text a file must contain for its data reads to be recorded (the pre-filter; a handler's
#: ``**kw`` read as ``kw["pk"]`` under another name is not followed).
DATA_READ_FRAGMENTS: tuple[str, ...] = (
    "cleaned_data", "validated_data", "kwargs[", "kwargs.get(", "self.kwargs",
)  # fmt: skip
#: Class attributes of a view naming the form (serializer) its methods receive.
FORM_CLASS_ATTRIBUTES: frozenset[str] = frozenset({"form_class", "serializer_class"})

#: What a value cannot attack: every kind, a slug's, a validated e-mail address's (shared with
#: the validation domain).
HARMLESS_ALL = harmless.HARMLESS_ALL
HARMLESS_SLUG = harmless.HARMLESS_SLUG
HARMLESS_EMAIL = harmless.HARMLESS_EMAIL

#: Form and serializer field classes (the last part of the name; Django's and DRF's share
#: them) -> the sink kinds their cleaned value cannot attack. ``CharField`` and kin are not
#: here: their value is the submitted text.
FORM_FIELD_HARMLESS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("IntegerField", "FloatField", "DecimalField", "BooleanField",
                     "NullBooleanField", "DateField", "DateTimeField", "TimeField",
                     "DurationField", "UUIDField", "ChoiceField", "TypedChoiceField",
                     "MultipleChoiceField", "TypedMultipleChoiceField", "ModelChoiceField",
                     "ModelMultipleChoiceField", "PrimaryKeyRelatedField",
                     "SlugRelatedField"), HARMLESS_ALL),
    "SlugField": HARMLESS_SLUG,
    "EmailField": HARMLESS_EMAIL,
}  # fmt: skip
#: Model field classes -> the form field a ``ModelForm`` makes of them (``FORM_FIELD_HARMLESS``
#: then says what the value cannot attack). A relation becomes a ``ModelChoiceField``.
MODEL_FORM_FIELDS: dict[str, str] = {
    **dict.fromkeys(("IntegerField", "BigIntegerField", "SmallIntegerField",
                     "PositiveIntegerField", "PositiveSmallIntegerField",
                     "PositiveBigIntegerField", "AutoField", "BigAutoField",
                     "SmallAutoField"), "IntegerField"),
    **{name: name for name in ("FloatField", "DecimalField", "BooleanField", "NullBooleanField",
                               "DateField", "DateTimeField", "TimeField", "DurationField",
                               "UUIDField", "SlugField", "EmailField")},
    **dict.fromkeys(("ForeignKey", "OneToOneField"), "ModelChoiceField"),
    "ManyToManyField": "ModelMultipleChoiceField",
}  # fmt: skip

#: ``path()`` converters -> the sink kinds the URL kwarg cannot attack. ``str`` (the default),
#: ``path`` and converters the project registers itself are request text.
URL_CONVERTER_HARMLESS: dict[str, frozenset[str]] = {
    "int": HARMLESS_ALL,
    "uuid": HARMLESS_ALL,
    "slug": HARMLESS_SLUG,
}
#: DRF routers: a viewset's detail routes capture ``pk`` with ``[^/.]+`` (no slash, no dot:
#: never a path outside its directory; any other character).
ROUTER_LOOKUP = "pk"
ROUTER_LOOKUP_HARMLESS: frozenset[str] = frozenset({"path"})

#: Calls that render a template with a context: callee -> (template name's position and
#: keyword, the context's position and keyword). A context value that the template writes out
#: unescaped (``{{ x|safe }}``) is an XSS sink (``auditls.models.django.taint``).
RENDER_CALLS: dict[str, tuple[int, str, int, str]] = {
    "django.shortcuts.render": (1, "template_name", 2, "context"),
    "django.template.loader.render_to_string": (0, "template_name", 1, "context"),
    "django.template.response.TemplateResponse": (1, "template", 2, "context"),
    "django.template.response.SimpleTemplateResponse": (0, "template", 1, "context"),
}

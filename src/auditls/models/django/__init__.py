"""Django, linked across files at query time: URL confs followed through ``include()`` and DRF
routers to every view's full pattern, views with the auth that applies, settings, signals with
their receivers and send sites, models with their managers. The algorithm is in ``model``'s
docstring; rules (``auditls.rules.django``) and the hover (``auditls.server.django``) read it.
``taint`` derives what the taint engine needs: the URL kwargs views receive and what validated
form data cannot attack, and the context values rendered templates write out unescaped."""

from auditls.models.django.model import Auth, DjangoModel, Endpoint, model_of
from auditls.models.django.taint import DjangoTaint, RenderSink, Unescaped, django_taint

__all__ = [
    "Auth",
    "DjangoModel",
    "DjangoTaint",
    "Endpoint",
    "RenderSink",
    "Unescaped",
    "django_taint",
    "model_of",
]

"""Signals (Block 4: ``extract_django_signals``, ``extract_django_receivers``): custom
``Signal()`` definitions, ``@receiver(signal | [signals], sender=...)``,
``signal.connect(handler, sender=..., dispatch_uid=...)`` (in ``AppConfig.ready`` too),
``disconnect``, and send sites (``send``, ``send_robust``, ``asend``, ``asend_robust``) with
the keyword arguments they send.

A method call is a signal's when its receiver resolves to one of Django's signals or to a
``Signal()`` made in this file; otherwise (a signal imported from another app) it is a
*candidate*, recorded only when it looks like a signal call (``connect`` given a function, not
a string; ``send`` given ``sender=``), and ``auditls.models.django`` keeps it only when the
reference leads to a ``Signal()`` definition. ``sqlite3.connect("db")`` or ``ws.send(data)``
is never a row.
"""

from __future__ import annotations

import ast

from auditls.extractors.django.common import argument, decorator_name, literal_str, ref_of
from auditls.extractors.walker import Extractor, register
from auditls.facts.django import DjangoSignalFact
from auditls.knowledge.django import (
    BUILTIN_SIGNALS,
    RECEIVER_DECORATORS,
    SIGNAL_CLASSES,
    SIGNAL_CONNECT,
    SIGNAL_METHOD_NAMES,
    SIGNAL_SENDS,
)

#: Modules whose ``connect`` / ``send`` are never a Django signal's.
_NOT_SIGNALS = ("sqlite3", "socket", "ssl", "asyncio", "websocket", "websockets", "psycopg",
                "psycopg2", "pymysql", "MySQLdb", "redis", "paramiko", "ftplib", "smtplib",
                "builtins", "multiprocessing", "zmq", "pika", "kombu", "aiohttp", "requests",
                "httpx", "channels")  # fmt: skip


@register
class SignalsExtractor(Extractor):
    """python_django_signals."""

    name = "django.signals"
    fact_types = (DjangoSignalFact,)
    qualnames = (SIGNAL_CLASSES, RECEIVER_DECORATORS, BUILTIN_SIGNALS)
    names = (SIGNAL_METHOD_NAMES,)

    def visit_Assign(self, node: ast.Assign) -> None:
        ctx = self.ctx
        value = node.value
        if not isinstance(value, ast.Call) or ctx.qualname(value.func) not in SIGNAL_CLASSES:
            return
        for target in node.targets:
            if isinstance(target, ast.Name):
                scope = ctx.scope
                ref = (f"{scope.qualname}.{target.id}" if scope.kind in ("module", "class")
                       else f"{scope.qualname}.<locals>.{target.id}")  # fmt: skip
                args = argument(value, 0, "providing_args")
                keywords = tuple(
                    e.value for e in getattr(args, "elts", ())
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                )  # fmt: skip
                self._emit(node, "define", ref, target.id, keywords=keywords)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        ctx = self.ctx
        for dec in node.decorator_list:
            if not isinstance(dec, ast.Call) or decorator_name(ctx, dec) not in RECEIVER_DECORATORS:
                continue
            first = argument(dec, 0, "signal")
            signals = first.elts if isinstance(first, ast.List | ast.Tuple) else [first]
            sender = argument(dec, None, "sender")
            uid = literal_str(argument(dec, None, "dispatch_uid"))
            for sig in signals:
                ref = ref_of(ctx, sig)
                if sig is None or ref is None:
                    continue
                self._emit(dec, "receiver", ref, ctx.text_of(sig), handler=ctx.def_qualname(node),
                           sender=self._sender(sender), uid=uid)  # fmt: skip

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr not in SIGNAL_METHOD_NAMES:
            return
        ctx = self.ctx
        receiver = func.value
        ref = ref_of(ctx, receiver)
        sure = ref in BUILTIN_SIGNALS or ctx.instance_of(receiver) in SIGNAL_CLASSES
        if ref is None or ref.partition(".")[0] in _NOT_SIGNALS:
            return
        method = func.attr
        if method in SIGNAL_CONNECT:
            handler = argument(node, 0, "receiver")
            if handler is None or not isinstance(handler, ast.Name | ast.Attribute):
                return
            keyed = any(kw.arg in ("sender", "dispatch_uid") for kw in node.keywords)
            if not sure and not keyed and "django" not in ctx.file_scan().seen:
                return
            self._emit(node, method, ref, ctx.text_of(receiver),
                       handler=ref_of(ctx, handler) or ctx.text_of(handler),
                       sender=self._sender(argument(node, 1, "sender")),
                       uid=literal_str(argument(node, 3, "dispatch_uid")))  # fmt: skip
        elif method in SIGNAL_SENDS:
            sender = argument(node, 0, "sender")
            if not sure and not (
                any(kw.arg == "sender" for kw in node.keywords)
                or (isinstance(sender, ast.Attribute) and sender.attr == "__class__")
            ):
                return
            keywords = tuple(kw.arg for kw in node.keywords if kw.arg and kw.arg != "sender")
            self._emit(node, "send", ref, ctx.text_of(receiver), sender=self._sender(sender),
                       method=method, keywords=keywords)  # fmt: skip

    def _sender(self, node: ast.expr | None) -> str | None:
        if node is None:
            return None
        return ref_of(self.ctx, node) or self.ctx.text_of(node, 80)

    def _emit(
        self, node: ast.AST, role: str, signal: str, text: str, *, handler: str | None = None,
        sender: str | None = None, uid: str | None = None, method: str | None = None,
        keywords: tuple[str, ...] = (),
    ) -> None:  # fmt: skip
        self.emit(
            DjangoSignalFact(
                **self.ctx.pos(node), function=self.ctx.function, role=role, signal=signal,
                signal_text=text, builtin=signal in BUILTIN_SIGNALS, handler=handler,
                sender=sender, dispatch_uid=uid, method=method, keywords=keywords,
            )
        )  # fmt: skip

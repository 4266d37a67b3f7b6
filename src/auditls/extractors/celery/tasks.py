"""Celery tasks and periodic runs.

A task is a function decorated with ``@app.task`` / ``@shared_task`` (called or not; its
``name=`` and ``bind=`` recorded). A periodic run is an entry of a beat schedule written as a
dict literal (``app.conf.beat_schedule = {"key": {"task": ..., "schedule": ...}}``, a
``beat_schedule`` / ``CELERY_BEAT_SCHEDULE`` setting) or an ``add_periodic_task(schedule,
signature, name=...)`` call.
"""

from __future__ import annotations

import ast

from auditls.extractors.walker import Extractor, register
from auditls.facts.celery import CeleryBeatFact, CeleryTaskFact
from auditls.knowledge.celery import (
    BEAT_ATTRIBUTES,
    BEAT_NAMES,
    PERIODIC_METHOD,
    SIGNATURE_METHODS,
    TASK_DECORATORS,
)


def _literal(node: ast.AST | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((kw.value for kw in call.keywords if kw.arg == name), None)


@register
class TasksExtractor(Extractor):
    """python_celery_tasks, python_celery_beat."""

    name = "celery.tasks"
    fact_types = (CeleryTaskFact, CeleryBeatFact)
    qualnames = (TASK_DECORATORS, BEAT_ATTRIBUTES)
    names = (BEAT_NAMES, (PERIODIC_METHOD,))

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        ctx = self.ctx
        for dec in node.decorator_list:
            call = dec if isinstance(dec, ast.Call) else None
            decorator = ctx.qualname(call.func if call is not None else dec)
            if decorator not in TASK_DECORATORS:
                continue
            bind = _keyword(call, "bind") if call is not None else None
            self.emit(
                CeleryTaskFact(
                    **ctx.pos(node),
                    qualname=ctx.def_qualname(node),
                    decorator=decorator,
                    name=_literal(_keyword(call, "name")) if call is not None else None,
                    bind=isinstance(bind, ast.Constant) and bind.value is True,
                )
            )
            return

    def visit_Assign(self, node: ast.Assign) -> None:
        ctx = self.ctx
        if len(node.targets) != 1 or not isinstance(node.value, ast.Dict):
            return
        target = node.targets[0]
        if isinstance(target, ast.Name):
            if target.id not in BEAT_NAMES:
                return
        elif ctx.qualname(target) not in BEAT_ATTRIBUTES:
            return
        for key, value in zip(node.value.keys, node.value.values, strict=True):
            if not isinstance(value, ast.Dict):
                continue
            entry = dict(zip((_literal(k) for k in value.keys), value.values, strict=True))
            schedule = entry.get("schedule")
            self.emit(
                CeleryBeatFact(
                    **ctx.pos(value),
                    function=ctx.scope.qualname,
                    entry=_literal(key),
                    task=_literal(entry.get("task")),
                    schedule=ctx.text_of(schedule) if schedule is not None else "",
                    via="beat_schedule",
                )
            )

    def visit_Call(self, node: ast.Call) -> None:
        ctx = self.ctx
        func = node.func
        if not isinstance(func, ast.Attribute) or func.attr != PERIODIC_METHOD:
            return
        schedule = node.args[0] if node.args else _keyword(node, "schedule")
        sig = node.args[1] if len(node.args) > 1 else _keyword(node, "sig")
        task: str | None = None
        if isinstance(sig, ast.Call) and isinstance(sig.func, ast.Attribute):
            if sig.func.attr in SIGNATURE_METHODS:
                task = ctx.qualname(sig.func.value)
            elif ctx.qualname(sig.func) in ("celery.signature", "celery.canvas.signature"):
                task = _literal(sig.args[0]) if sig.args else None
        self.emit(
            CeleryBeatFact(
                **ctx.pos(node),
                function=ctx.scope.qualname,
                entry=_literal(_keyword(node, "name")),
                task=task,
                schedule=ctx.text_of(schedule) if schedule is not None else "",
                via="add_periodic_task",
            )
        )

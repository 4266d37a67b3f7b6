"""Hover on a Celery task's ``def`` line: how it is registered, where beat schedules it, and
every call in the workspace that queues it (``delay``, ``apply_async``, signatures). The
store, read on its own thread through ``ctx.query``, says what other files do."""

from __future__ import annotations

from auditls.facts.celery import CeleryBeatFact, CeleryTaskFact
from auditls.facts.core import CallFact
from auditls.knowledge.dispatch import TASK_METHODS
from auditls.server.hover import HoverContext, hover_provider
from auditls.store import Store

#: At most this many queue sites in a hover.
MAX_SITES = 20


def task_markdown(store: Store, task: CeleryTaskFact) -> str:
    names = {task.qualname, *([task.name] if task.name else [])}
    lines = [f"**Celery task** `{task.qualname}`"]
    how = [f"registered as `{task.name}`"] if task.name else []
    if task.bind:
        how.append("bound (`self` is the task)")
    if how:
        lines[0] += " · " + ", ".join(how)
    lines.append("")
    beats = [
        (path, row)
        for path, rows in sorted(store.facts_of_files(CeleryBeatFact, None).items())
        for row in rows
        if row.task in names
    ]
    if beats:
        lines.append("Scheduled by beat:")
        for path, row in beats:
            entry = f"`{row.entry}`" if row.entry else "an entry"
            lines.append(f"- {entry} every `{row.schedule}` ({path}:{row.line})")
    else:
        lines.append("Not scheduled by beat.")
    callees = [f"{task.qualname}.{method}" for method in sorted(TASK_METHODS)]
    sites = [
        (path, call)
        for path, calls in sorted(store.facts_where(CallFact, "callee", callees).items())
        for call in calls
    ]
    if sites:
        lines.append("")
        lines.append("Queued at:")
        for path, call in sites[:MAX_SITES]:
            lines.append(f"- {path}:{call.line} `{call.callee_text}(...)` in `{call.function}`")
        if len(sites) > MAX_SITES:
            lines.append(f"- … and {len(sites) - MAX_SITES} more")
    return "\n".join(lines)


@hover_provider("celery.tasks", order=64)
def task_hover(ctx: HoverContext) -> str | None:
    task = next((t for t in ctx.facts_of(CeleryTaskFact) if t.line == ctx.line), None)
    if task is None:
        return None
    found = task
    return ctx.query(lambda store: task_markdown(store, found))

"""The hover text of a FastAPI path operation (plain Markdown, no LSP types)."""

from __future__ import annotations

from auditls.models.fastapi import FastAPIModel, Operation


def _short(name: str) -> str:
    return name.rpartition(".")[2] or name


def operation_markdown(model: FastAPIModel, op: Operation) -> str:
    """Method and full paths, the dependencies and which authenticate, the parameters and
    where their values come from."""
    fact = op.fact
    paths = ", ".join(f"`{p}`" for p in op.paths) or f"`{fact.path or '?'}`"
    lines = [f"**FastAPI {fact.method}** {paths} · `{fact.endpoint}`", ""]
    if op.dependencies:
        deps = ", ".join(
            f"`{_short(d)}`" + (" (authenticates)" if d in op.auth else "") for d in op.dependencies
        )
        lines.append(f"- Dependencies: {deps}")
    if op.auth:
        lines.append(f"- Authentication: by {', '.join(f'`{_short(d)}`' for d in op.auth)}")
    elif op.checks_itself:
        lines.append("- Authentication: the operation raises 401/403 itself")
    else:
        lines.append("- Authentication: none")
    if fact.request_params:
        names = ", ".join(f"`{p}`" for p in fact.request_params)
        lines.append(f"- Request data (taint sources): {names}")
    if fact.safe_params:
        names = ", ".join(f"`{p}`" for p in fact.safe_params)
        lines.append(f"- Parsed by FastAPI into harmless values: {names}")
    if fact.request_object:
        lines.append(f"- The request itself: `{fact.request_object}`")
    return "\n".join(lines)

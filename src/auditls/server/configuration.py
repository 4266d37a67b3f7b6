"""The editor's settings over LSP: read from ``initializationOptions``, asked for with
``workspace/configuration`` (per folder and globally), or taken from
``workspace/didChangeConfiguration`` from a client that cannot be asked; then applied to every
folder (``config.layer`` over its ``[tool.auditls]``).

Applying settings republishes everything (which rules show and how is decided when publishing)
and reconciles a folder whose set of files changed (``exclude``). Problems the user can fix are
shown once per set; the rest of the server never sees an unchecked setting.
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types

from auditls.config import Config
from auditls.server import log as logsetup
from auditls.server import publish
from auditls.server.config import (
    Settings,
    index_affecting,
    layer,
    overlay,
    parse_editor_settings,
)
from auditls.server.state import SERVER_LOGGER, AuditServer, Folder

log = logging.getLogger(SERVER_LOGGER)

#: The section of the editor's settings (``auditls.*``).
SECTION = "auditls"


async def did_change_configuration(
    ls: AuditServer, params: types.DidChangeConfigurationParams
) -> None:
    if ls.can("workspace.configuration"):
        await fetch_settings(ls)
    else:
        settings_from_notification(ls, params.settings)
    await apply_settings(ls, why="the editor's settings changed")


def from_initialization_options(ls: AuditServer, options: Any) -> None:
    """The settings a client sends with ``initialize`` (bare, or under ``auditls`` or
    ``settings``): the base every later layer of editor settings goes over."""
    if isinstance(options, dict) and set(options) <= {SECTION, "settings"} and options:
        options = options.get(SECTION, options.get("settings"))
    ls.init_settings = parse_editor_settings(options, origin="initializationOptions")
    ls.global_editor = ls.init_settings
    ls.global_settings = layer(Config(), ls.init_settings)
    logsetup.set_level(ls.global_settings.log_level)


async def fetch_settings(ls: AuditServer) -> None:
    """Ask the client for the ``auditls`` section, per folder and globally."""
    if not ls.can("workspace.configuration"):
        return
    items = [types.ConfigurationItem(scope_uri=f.uri, section=SECTION) for f in ls.folders]
    items.append(types.ConfigurationItem(section=SECTION))
    try:
        values = await ls.workspace_configuration_async(types.ConfigurationParams(items=items))
    except Exception as exc:  # a client that answers with an error: keep what we have
        log.warning("workspace/configuration failed: %s", exc)
        return
    values = list(values or [])
    values += [None] * (len(items) - len(values))
    for folder, raw in zip(ls.folders, values, strict=False):
        folder.editor = overlay(ls.init_settings, parse_editor_settings(raw, origin=SECTION))
    ls.global_editor = overlay(ls.init_settings, parse_editor_settings(values[-1], origin=SECTION))


def settings_from_notification(ls: AuditServer, raw: Any) -> None:
    """A client that cannot be asked sends its settings with the notification."""
    section = raw.get(SECTION) if isinstance(raw, dict) else None
    if section is None:
        return
    layer_ = overlay(ls.init_settings, parse_editor_settings(section, origin=SECTION))
    ls.global_editor = layer_
    for folder in ls.folders:
        folder.editor = layer_


def shown(value: object) -> str:
    """A setting's value as the user wrote it (codes sorted)."""
    if isinstance(value, frozenset | set | tuple):
        return repr(sorted(value))
    return repr(value)


def describe(settings: Settings) -> str:
    """The settings in force, in one line (what differs from the defaults)."""
    config, default = settings.config, Settings()
    parts = []
    if config.select is not None:
        parts.append(f"select {','.join(sorted(config.select))}")
    if config.ignore:
        parts.append(f"ignore {','.join(sorted(config.ignore))}")
    if config.exclude:
        parts.append(f"exclude {' '.join(config.exclude)}")
    if config.severity_overrides:
        parts.append(
            "severity " + ",".join(f"{k}={v}" for k, v in sorted(config.severity_overrides.items()))
        )
    if config.baseline is not None:
        parts.append(f"baseline {config.baseline}")
    if config.test_code != default.config.test_code:
        parts.append(f"test-code {config.test_code}")
    for name, value, base in (
        (
            "debounce",
            f"{round(settings.debounce * 1000)} ms",
            f"{round(default.debounce * 1000)} ms",
        ),
        ("diagnosticMode", settings.diagnostic_mode, default.diagnostic_mode),
        ("syntaxDiagnostics", settings.syntax_diagnostics, default.syntax_diagnostics),
        ("logLevel", settings.log_level, default.log_level),
        ("docsUrl", settings.docs_url, default.docs_url),
    ):
        if value != base:
            parts.append(f"{name} {value}")
    return "; ".join(parts) or "the defaults"


async def apply_settings(ls: AuditServer, *, why: str = "start-up") -> None:
    """Recompute every folder's settings; reconcile folders whose set of files changed."""
    problems = list(ls.global_editor.problems)
    reconcile: list[Folder] = []
    ls.global_settings = layer(Config(), ls.global_editor)
    logsetup.set_level(ls.global_settings.log_level)  # first: it decides what is said below
    lines = []
    for folder in ls.folders:
        old = folder.settings
        folder.settings = layer(folder.project, folder.editor)
        for key, value in sorted(folder.editor.values.items()):
            log.debug(
                "setting %s = %s applied to %s (from the editor)", key, shown(value), folder.root
            )
        if folder.project.source is not None:
            log.debug("[tool.auditls] of %s applied", folder.project.source)
        lines.append(f"{folder.root.name}: {describe(folder.settings)}")
        problems += [p for p in folder.editor.problems if p not in problems]
        if folder.project_problem:
            problems.append(folder.project_problem)
        await folder.engine.run(folder.engine.set_config, folder.settings.config)
        if index_affecting(old.config, folder.settings.config):
            reconcile.append(folder)
    log.info("settings (%s): %s", why, " | ".join(lines) or describe(ls.global_settings))
    ls.tell_user(problems)
    for doc in ls.documents.values():
        doc.excluded = ls.excluded(doc)
    publish.refresh_all(ls)
    for folder in reconcile:
        if folder.indexed.is_set():
            changes = await folder.engine.run(folder.engine.index)
            publish.apply(ls, folder, changes)

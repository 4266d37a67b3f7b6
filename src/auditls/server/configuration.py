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
    await apply_settings(ls)


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


async def apply_settings(ls: AuditServer) -> None:
    """Recompute every folder's settings; reconcile folders whose set of files changed."""
    problems = list(ls.global_editor.problems)
    reconcile: list[Folder] = []
    for folder in ls.folders:
        old = folder.settings
        folder.settings = layer(folder.project, folder.editor)
        problems += [p for p in folder.editor.problems if p not in problems]
        if folder.project_problem:
            problems.append(folder.project_problem)
        await folder.engine.run(folder.engine.set_config, folder.settings.config)
        if index_affecting(old.config, folder.settings.config):
            reconcile.append(folder)
    ls.global_settings = layer(Config(), ls.global_editor)
    logsetup.set_level(ls.global_settings.log_level)
    ls.tell_user(problems)
    for doc in ls.documents.values():
        doc.excluded = ls.excluded(doc)
    publish.refresh_all(ls)
    for folder in reconcile:
        if folder.indexed.is_set():
            changes = await folder.engine.run(folder.engine.index)
            publish.apply(ls, folder, changes)

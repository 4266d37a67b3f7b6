"""Shapes shared by the domains' tables: what an auth decorator, mixin or attribute requires."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AuthSpec:
    """An authentication or authorisation decorator, mixin or class attribute."""

    kind: str  # login | fresh_login | permission | test | staff | jwt | http_auth | roles | ...
    framework: str

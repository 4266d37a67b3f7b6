"""Stored names of files whose names are not UTF-8 map back to the files (``index.real_path``)
and to URIs that name them (``server.state.file_uri`` / ``uri_path``)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from auditls.facts import escape_path
from auditls.index import real_name, real_path
from auditls.server.state import file_uri, uri_path


@pytest.mark.parametrize(
    "raw",
    [b"bad_\xff.py", b"a\nb.py", b"caf\xc3\xa9.py", b"\xe9t\xe9/\xff\xfe.py", b"plain/name.py"],
)
def test_real_name_inverts_escape_path(raw: bytes) -> None:
    name = os.fsdecode(raw)
    assert os.fsencode(real_name(escape_path(name))) == raw


def test_a_name_spelled_like_an_escape_is_taken_as_written(tmp_path: Path) -> None:
    literal = tmp_path / "x\\x41.py"  # a backslash, x, 4, 1: a legal name as it is
    literal.write_text("x = 1\n")
    assert real_path(tmp_path, "x\\x41.py") == literal
    escaped = tmp_path / os.fsdecode(b"y\xff.py")
    escaped.write_text("x = 1\n")
    assert real_path(tmp_path, "y\\xff.py") == escaped


def test_uris_carry_the_real_bytes(tmp_path: Path) -> None:
    path = tmp_path / os.fsdecode(b"bad_\xff.py")
    path.write_text("x = 1\n")
    folder = tmp_path.as_uri()
    uri = file_uri(folder, "bad_\\xff.py", tmp_path)
    assert uri == folder + "/bad_%FF.py" == path.as_uri()
    assert file_uri(folder, "bad_\\xff.py") == uri  # without the root: unescaped
    assert uri_path(uri) == path
    assert uri_path(folder + "/bad_%ff.py") == path
    assert uri_path(folder + "/caf%C3%A9.py") == tmp_path / "café.py"
    assert file_uri(folder, "sub dir/café.py") == folder + "/sub%20dir/caf%C3%A9.py"

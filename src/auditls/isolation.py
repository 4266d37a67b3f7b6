"""Keeping the analysed code out of auditls's own interpreters.

auditls reads untrusted repositories, and Python imports a module from the first ``sys.path``
entry that has it. By default that first entry is the current directory (``python -m``,
``python -c``, and so every ``multiprocessing`` worker), so a ``json.py`` or a
``multiprocessing.py`` at the top of a checkout would run inside auditls when it is started
from there (an editor starts its server with the workspace as the working directory).

Every process auditls is started as calls :func:`isolate` before it imports anything that could
be shadowed (``auditls.__main__`` for the ``auditls`` command and ``python -m auditls``):

1. **Drop** from ``sys.path`` every entry that is not part of a Python installation: the current
   directory (``''`` or its path), the script's directory, ``PYTHONPATH`` entries, directories
   that ``.pth`` files of other projects add. What stays: the standard library, the
   site-packages directories, and the directory auditls itself was imported from.
2. **Refuse** to go on (:class:`Shadowed`) when a module that auditls or Python relies on (a
   standard-library module, a dependency, ``sitecustomize``) was already loaded from the current
   directory or one of the dropped entries: that code ran before auditls could stop it, so the
   user must start auditls another way (``python -P -m auditls`` or the ``auditls`` command).
3. **Children inherit it**: ``PYTHONSAFEPATH=1`` (Python's safe-path mode: no current directory
   on ``sys.path``) and no ``PYTHONPATH`` in the environment. ``multiprocessing`` passes
   ``-P`` on when this process has it and hands workers this process's (dropped) ``sys.path``;
   workers run the check of step 2 again when they start (:func:`verify`). A process started
   with ``-E`` but without ``-P`` cannot pass safe-path mode on, so it extracts in-process
   (:func:`children_start_safe`).

The editor integrations start the server with ``-E -P`` (VS Code) or with ``PYTHONSAFEPATH=1``
and an empty ``PYTHONPATH`` (Neovim), so nothing from the workspace runs even before step 1.

This module imports only ``os`` and ``sys`` (both loaded before any ``sys.path`` lookup) until
step 1 is done, and has no ``from __future__`` import: ``__future__`` is a module too.
"""

import os
import sys

#: Top-level modules, besides the standard library's, whose copy in a workspace must never run
#: inside auditls: auditls, its dependencies, and the hooks Python's start-up imports by name.
PROTECTED = frozenset(
    {
        "auditls",
        "pygls",
        "lsprotocol",
        "cattrs",
        "cattr",
        "attrs",
        "attr",
        "watchdog",
        "msgpack",
        "pathspec",
        "typing_extensions",
        "exceptiongroup",
        "sitecustomize",
        "usercustomize",
    }
)


class Shadowed(RuntimeError):
    """Modules auditls relies on were loaded from outside Python's installation, from places
    the analysed code controls (the current directory, ``PYTHONPATH``, a workspace)."""

    def __init__(self, modules: "list[tuple[str, str]]") -> None:
        self.modules = modules
        listed = ", ".join(f"{name} ({path})" for name, path in modules[:5])
        more = f" and {len(modules) - 5} more" if len(modules) > 5 else ""
        super().__init__(
            f"refusing to run: {listed}{more} shadowed a module auditls relies on and was "
            "already imported, so code from the analysed files has run. Start auditls with the "
            "`auditls` command or `python -P -m auditls` (safe-path mode), and without a "
            "PYTHONPATH that points into the workspace."
        )


def _norm(path: str) -> str:
    return os.path.normcase(os.path.abspath(path or os.curdir))


def _within(path: str, dirs: "list[str]") -> bool:
    return any(path == d or path.startswith(d.rstrip(os.sep) + os.sep) for d in dirs)


def _variants(path: str) -> "set[str]":
    return {_norm(path), os.path.normcase(os.path.realpath(path))}


def _cwd() -> str:
    try:
        return _norm(os.getcwd())
    except OSError:  # the working directory was removed: nothing can be imported from it
        return ""


def _untrusted_by_origin() -> "set[str]":
    """Entries that came from where the process was started, not from the installation."""
    cwd = _cwd()
    found = {cwd, _norm("")} if cwd else set()
    main = sys.modules.get("__main__")
    script = getattr(main, "__file__", None)
    if script:
        found.add(_norm(os.path.dirname(script)))
    if not sys.flags.ignore_environment:
        for entry in os.environ.get("PYTHONPATH", "").split(os.pathsep):
            if entry:
                found |= _variants(entry)
    return found


def trusted_dirs() -> "list[str]":
    """Where auditls may import from: the standard library, the site-packages directories,
    and the directory the ``auditls`` package itself was imported from."""
    import site
    import sysconfig

    dirs: set[str] = set()
    paths = sysconfig.get_paths()
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        if key in paths:
            dirs |= _variants(paths[key])
    for directory in site.getsitepackages():
        dirs |= _variants(directory)
    if site.ENABLE_USER_SITE:
        dirs |= _variants(site.getusersitepackages())
    package = sys.modules.get("auditls")
    for entry in getattr(package, "__path__", ()):
        dirs |= _variants(os.path.dirname(entry))
    return sorted(dirs)


def _trusted_entry(entry: str, trusted: "list[str]") -> bool:
    path = _norm(entry)
    if _within(path, trusted):
        return True
    # The standard library as a zip beside the installation (python311.zip).
    prefixes = [_norm(sys.base_prefix), _norm(sys.base_exec_prefix)]
    return path.endswith(".zip") and _within(path, prefixes)


def _module_files(module: object) -> "list[str]":
    files = [getattr(module, "__file__", None)]
    files.extend(getattr(module, "__path__", None) or ())  # namespace packages have no file
    return [_norm(f) for f in files if isinstance(f, str) and f]


def shadowed(places: "list[str]", trusted: "list[str] | None" = None) -> "list[tuple[str, str]]":
    """Protected modules (standard library, :data:`PROTECTED`) loaded from inside ``places``
    and not from a trusted directory (a virtual environment inside a workspace is trusted)."""
    trusted = trusted_dirs() if trusted is None else trusted
    places = sorted({_norm(p) for p in places if p})
    found = []
    for name, module in list(sys.modules.items()):
        top = name.partition(".")[0]
        if top not in sys.stdlib_module_names and top not in PROTECTED:
            continue
        for path in _module_files(module):
            if _within(path, places) and not _within(path, trusted):
                found.append((name, path))
                break
    return sorted(found)


def prepare_children() -> bool:
    """Set the environment child processes inherit (safe-path mode, no ``PYTHONPATH``) and
    say whether they will start without the current directory on ``sys.path``."""
    os.environ["PYTHONSAFEPATH"] = "1"
    os.environ.pop("PYTHONPATH", None)
    return children_start_safe()


def children_start_safe() -> bool:
    """Whether a child Python started now gets no current directory on ``sys.path``: by the
    ``-P`` that ``multiprocessing`` passes on, or by ``PYTHONSAFEPATH`` unless ``-E``."""
    if sys.flags.safe_path:
        return True
    return not sys.flags.ignore_environment and bool(os.environ.get("PYTHONSAFEPATH"))


def isolate() -> "list[str]":
    """Steps 1 to 3 of the module docstring; returns the ``sys.path`` entries dropped.
    Raises :class:`Shadowed` when code from the dropped places has already run."""
    suspects = _untrusted_by_origin()
    removed = [e for e in sys.path if _norm(e) in suspects]
    sys.path[:] = [e for e in sys.path if _norm(e) not in suspects]
    trusted = trusted_dirs()  # imports site and sysconfig: safe now
    removed += [e for e in sys.path if not _trusted_entry(e, trusted)]
    sys.path[:] = [e for e in sys.path if _trusted_entry(e, trusted)]
    found = shadowed([*suspects, *removed], trusted)
    if found:
        raise Shadowed(found)
    prepare_children()
    return removed


def verify(places: "list[str] | None" = None) -> None:
    """Raise :class:`Shadowed` if a protected module was loaded from ``places`` (default: the
    current directory); a worker process calls it when it starts, the CLI for its workspace."""
    cwd = _cwd()
    found = shadowed(places if places is not None else [cwd])
    if found:
        raise Shadowed(found)

"""Calls that run another function later, elsewhere or in another process, with arguments
they pass on: threads, executors, the event loop, Celery tasks. The taint engine follows
such a call into the function it runs, binding the arguments as ``Dispatch`` says (data as
the engine reads it: ``auditls.taint.program.dispatched``).

Two shapes:

- **A function passed as an argument** (``function`` set): ``threading.Thread(target=f,
  args=(x,))``, ``executor.submit(f, x)``, ``asyncio.to_thread(f, x)``,
  ``loop.run_in_executor(None, f, x)``, ``map(f, xs)``.
- **A method of the function itself** (``function`` None): a Celery task's ``f.delay(x)``,
  ``f.apply_async(args=(x,), kwargs={...})``, ``f.s(x)``; the call's callee minus the method
  is the task (``tasks.purge.delay`` runs ``tasks.purge``).
- **A Django signal's send** (``order_paid.send(sender=Order, order=o)``): every receiver the
  Django model connects to that signal is called with the keyword arguments (``SIGNAL``).

Argument lists passed whole (``args=(x,)``, ``kwargs={"q": x}``) bind coarsely: every
parameter of the function receives what the tuple or dict holds.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Dispatch:
    """How a call passes arguments on to the function it runs."""

    #: Where the function is: a positional index and/or a keyword of the call; both None
    #: for a task's own method (``f.delay``).
    position: int | None
    keyword: str | None
    #: The call's positional arguments from this index bind the function's parameters in
    #: order (None: none do).
    first: int | None
    #: Keywords whose value holds the positional arguments (a tuple) / keyword arguments (a
    #: dict) as a whole.
    args: str | None = None
    kwargs: str | None = None
    #: Positions of the call that may pass ``args`` / ``kwargs`` without their keyword.
    args_at: int | None = None
    kwargs_at: int | None = None
    #: The call's own other keyword arguments bind parameters of the same name.
    keywords: bool = False
    #: The call returns what the function returns (``await asyncio.to_thread(f, x)``).
    returns: bool = False
    #: How a trace says it, ``{}`` for the function ("runs `{}` in a thread").
    how: str = "runs `{}`"
    #: The parameter that receives the object the call is made on (a saved model instance),
    #: or every keyword argument of the call when there is no such object (``create(**kw)``).
    instance: str | None = None

    @property
    def by_reference(self) -> bool:
        """Whether the function is passed as an argument (not the callee's own prefix)."""
        return self.position is not None or self.keyword is not None


_THREAD = Dispatch(1, "target", None, "args", "kwargs", 3, 4, how="runs `{}` in a thread")
_PROCESS = Dispatch(1, "target", None, "args", "kwargs", 3, 4, how="runs `{}` in a process")
_TIMER = Dispatch(1, "function", None, "args", "kwargs", 2, 3, how="runs `{}` in a thread")
_TASK = "queues the Celery task `{}`"
_SUBMIT = Dispatch(0, "fn", 1, keywords=True, how="runs `{}` in an executor")
_EXECUTOR = Dispatch(1, None, 2, returns=True, how="runs `{}` in an executor")
_TO_THREAD = Dispatch(0, "func", 1, keywords=True, returns=True, how="runs `{}` in a thread")
_CALL_SOON = Dispatch(0, "callback", 1, how="has the event loop call `{}` back")
_CALL_LATER = Dispatch(1, "callback", 2, how="has the event loop call `{}` back")

#: Dispatchers by resolved callee.
DISPATCHERS: dict[str, Dispatch] = {
    "threading.Thread": _THREAD,
    "threading.Timer": _TIMER,
    "multiprocessing.Process": _PROCESS,
    "multiprocessing.context.Process": _PROCESS,
    "concurrent.futures.ThreadPoolExecutor.submit": _SUBMIT,
    "concurrent.futures.ProcessPoolExecutor.submit": _SUBMIT,
    "concurrent.futures.Executor.submit": _SUBMIT,
    "asyncio.to_thread": _TO_THREAD,
    "builtins.map": Dispatch(0, None, 1, returns=True, how="maps `{}` over it"),
}

#: Dispatchers by method name, on a receiver whose type is not known (``self.pool.submit``,
#: ``loop.run_in_executor``): only when the argument at ``position`` is a workspace function.
DISPATCH_METHODS: dict[str, Dispatch] = {
    "submit": _SUBMIT,
    "run_in_executor": _EXECUTOR,
    "call_soon": _CALL_SOON,
    "call_soon_threadsafe": _CALL_SOON,
    "call_later": _CALL_LATER,
    "apply_async": Dispatch(
        0, "func", None, "args", "kwds", 1, 2, how="runs `{}` in a process pool"
    ),
}

#: A Celery task's methods that queue or prepare a run, by the name after the task.
TASK_METHODS: dict[str, Dispatch] = {
    "delay": Dispatch(None, None, 0, keywords=True, how=_TASK),
    "apply_async": Dispatch(None, None, None, "args", "kwargs", 0, 1, how=_TASK),
    "apply": Dispatch(None, None, None, "args", "kwargs", 0, 1, how="runs the Celery task `{}`"),
    "s": Dispatch(None, None, 0, keywords=True, how=_TASK),
    "si": Dispatch(None, None, 0, keywords=True, how=_TASK),
    "signature": Dispatch(None, None, None, "args", "kwargs", 0, 1, how=_TASK),
}


#: Celery's canvas (``celery.canvas``): a mutable signature (``t.s(x)``, ``t.signature((x,))``)
#: run after another task gets that task's result as its first argument, ahead of its own
#: (``chain(fetch.s(url), parse.s())``, ``fetch.s(url) | parse.s()``, ``chord(header, body)``,
#: ``chord(header)(body)``, ``apply_async(..., link=parse.s())``); an immutable one (``t.si()``)
#: does not.
MUTABLE_SIGNATURES = frozenset({"s", "signature"})
SIGNATURES = MUTABLE_SIGNATURES | {"si"}
CHAINS = frozenset({"celery.chain", "celery.canvas.chain", "celery.canvas._chain"})
CHORDS = frozenset({"celery.chord", "celery.canvas.chord", "celery.canvas._chord"})
#: Keywords of a call that take a signature to run with the call's result.
LINKS = frozenset({"link"})
#: How a trace says it.
PASSES_RESULT = "passes the result on to the Celery task `{}`"


#: A Django signal's send (``send``, ``send_robust``, ``asend``...: the Django model says which
#: calls are sends and which receivers they reach) passes its keyword arguments.
SIGNAL = Dispatch(None, None, None, keywords=True, how="sends the signal to receiver `{}`")
#: A model's ``save()`` / ``objects.create(...)``: its ``pre_save`` / ``post_save`` receivers get
#: the object as ``instance``.
SAVED = Dispatch(None, None, None, how="saves, which runs the receiver `{}`", instance="instance")
#: Callees (after the model class) that save a model instance.
SAVE_METHODS = (".save", ".objects.create", ".objects.get_or_create", ".objects.update_or_create")


def dispatch_for(callee: str | None, attr: str | None) -> Dispatch | None:
    """The dispatcher a call is, by resolved callee, then by method name (a task's method
    only means one when the rest of the callee is a workspace function: the engine checks)."""
    if callee is not None:
        found = DISPATCHERS.get(callee)
        if found is not None:
            return found
    if attr is not None:
        return DISPATCH_METHODS.get(attr)
    return None


def task_method(callee: str | None) -> tuple[str, Dispatch] | None:
    """``(task, dispatch)`` when a callee names a method of a Celery task
    (``tasks.purge.delay`` -> ``tasks.purge``); the engine checks that the task is a
    workspace function."""
    if callee is None:
        return None
    task, dot, method = callee.rpartition(".")
    found = TASK_METHODS.get(method) if dot else None
    return (task, found) if found is not None and task else None

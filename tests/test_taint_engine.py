"""The taint engine over hand-built flow facts: summaries, propagation across files, sanitizers,
guards, early cutoff. (The extractor that writes these facts is tested in test_taint_flows.py;
fixtures run both together.)"""

from __future__ import annotations

import pytest

from auditls.facts import Fact, FileFacts
from auditls.facts.core import CallFact, FunctionFact, ParamFact
from auditls.facts.taint import FlowFact
from auditls.taint import TaintEngine


def _pos(line: int, col: int = 5, width: int = 10) -> dict[str, int]:
    return {"line": line, "col": col, "end_line": line, "end_col": col + width}


def function(qualname: str, line: int, *params: str) -> list[Fact]:
    facts: list[Fact] = [
        FunctionFact(
            **_pos(line, 1),
            qualname=qualname,
            name=qualname.rpartition(".")[2],
            is_async=False,
            is_lambda=False,
            class_name=None,
            decorators=(),
            returns=None,
            is_generator=False,
        )
    ]
    for i, name in enumerate(params):
        facts.append(
            ParamFact(
                **_pos(line, 10 + i),
                function=qualname,
                position=i,
                name=name,
                kind="arg",
                annotation=None,
                annotation_qualname=None,
                default=None,
                default_kind=None,
                default_value=None,
            )
        )
    return facts


def call(
    function: str, line: int, call_id: int, callee: str | None, text: str, attr: str | None = None
) -> CallFact:
    return CallFact(
        **_pos(line),
        call_id=call_id,
        function=function,
        callee=callee,
        callee_text=text,
        attr=attr,
        n_args=1,
        stmt_line=line,
    )


def flow(
    function: str,
    line: int,
    target: str,
    *inputs: str,
    how: str = "=",
    call_id: int | None = None,
    position: int | None = None,
    branch: bool = False,
) -> FlowFact:
    return FlowFact(
        **_pos(line),
        function=function,
        target=target,
        inputs=inputs,
        how=how,
        call_id=call_id,
        position=position,
        keyword=None,
        branch=branch,
    )


def views(q_value: str = "ref:flask.request.args") -> FileFacts:
    """``q = request.args["q"]; helpers.build(q)`` in a view."""
    fn = "app.views.run"
    return FileFacts(
        path="app/views.py",
        module="app.views",
        status="ok",
        facts=[
            *function(fn, 5),
            flow(fn, 6, "name:q", q_value),
            call(fn, 7, 1, "app.helpers.build", "helpers.build"),
            flow(fn, 7, "arg", "name:q", call_id=1, position=0),
        ],
    )


def helpers(sanitizer: str | None = None) -> FileFacts:
    """``def build(term): sql = "SELECT " + term; cur.execute(sql)``."""
    fn = "app.helpers.build"
    facts: list[Fact] = [*function(fn, 1, "term")]
    term = "name:term"
    if sanitizer is not None:
        facts += [
            call(fn, 2, 2, sanitizer, sanitizer),
            flow(fn, 2, "arg", "name:term", call_id=2, position=0),
            flow(fn, 2, "name:clean", "call:2"),
        ]
        term = "name:clean"
    facts += [
        flow(fn, 3, "name:sql", term, how="concat"),
        call(fn, 4, 1, None, "cur.execute", attr="execute"),
        flow(fn, 4, "arg", "name:sql", call_id=1, position=0),
    ]
    return FileFacts(path="app/helpers.py", module="app.helpers", status="ok", facts=facts)


def test_a_path_across_files_with_every_step() -> None:
    engine = TaintEngine([views(), helpers()])
    [path] = engine.paths()
    assert path.rule.code == "AUD501"
    assert (path.sink.path, path.sink.line) == ("app/helpers.py", 4)
    assert path.confidence == "medium"  # through a helper, and a sink known by its method name
    steps = [(s.path, s.line) for s in path.steps]
    assert steps[0] == ("app/views.py", 6)  # the source
    assert ("app/views.py", 7) in steps  # passed to the helper
    assert steps[-1] == ("app/helpers.py", 4)  # the sink
    assert any("`sql` holds it" in s.message for s in path.steps)


def test_the_summary_says_which_parameter_reaches_which_sink() -> None:
    engine = TaintEngine([helpers()])
    engine.summarise()
    summary = engine.summaries["app.helpers.build"]
    [(label, site, _)] = summary.sinks
    assert (label.origin, site.kind) == ("param:0", "sql")
    assert engine.paths() == []  # no source in the helper alone


def test_a_sanitizer_for_every_kind_stops_the_path() -> None:
    assert TaintEngine([views(), helpers("builtins.int")]).paths() == []


def test_a_sanitizer_for_another_kind_does_not() -> None:
    [path] = TaintEngine([views(), helpers("html.escape")]).paths()
    assert path.rule.code == "AUD501"


def test_a_value_that_is_not_a_source_reaches_nothing() -> None:
    assert TaintEngine([views("ref:app.settings.DEFAULT"), helpers()]).paths() == []


def test_a_rejecting_guard_cleans_the_name() -> None:
    fn = "app.views.run"
    ff = FileFacts(
        path="app/views.py",
        module="app.views",
        status="ok",
        facts=[
            *function(fn, 1),
            flow(fn, 2, "name:q", "ref:flask.request.args"),
            flow(fn, 3, "guard", "name:q", how="reject"),
            call(fn, 4, 1, "os.system", "os.system"),
            flow(fn, 4, "arg", "name:q", call_id=1, position=0),
        ],
    )
    assert TaintEngine([ff]).paths() == []


def test_unchanged_summaries_stop_the_worklist() -> None:
    engine = TaintEngine([views(), helpers()])
    engine.summarise()
    # Each unit is summarised once: the helper comes first, and its caller, already waiting,
    # is not queued twice.
    assert engine.resummarised == 2


def test_recursion_reaches_a_fixed_point() -> None:
    fn = "app.helpers.loop"
    ff = FileFacts(
        path="app/helpers.py",
        module="app.helpers",
        status="ok",
        facts=[
            *function(fn, 1, "x"),
            call(fn, 2, 1, fn, "loop"),
            flow(fn, 2, "arg", "name:x", call_id=1, position=0),
            flow(fn, 2, "return", "call:1", "name:x"),
        ],
    )
    engine = TaintEngine([ff])
    engine.summarise()
    assert [label.origin for label in engine.summaries[fn].returns] == ["param:0"]
    assert engine.resummarised == 2  # it calls itself: summarised again once, then unchanged


def test_a_container_carries_what_is_appended_to_it() -> None:
    fn = "app.views.run"
    ff = FileFacts(
        path="app/views.py",
        module="app.views",
        status="ok",
        facts=[
            *function(fn, 1),
            flow(fn, 2, "name:parts", how="="),
            call(fn, 3, 1, None, "parts.append", attr="append"),
            flow(fn, 3, "receiver", "name:parts", call_id=1),
            flow(fn, 3, "arg", "ref:flask.request.args", call_id=1, position=0),
            call(fn, 4, 2, "os.system", "os.system"),
            flow(fn, 4, "arg", "name:parts", call_id=2, position=0),
        ],
    )
    [path] = TaintEngine([ff]).paths()
    assert (path.rule.code, path.sink.line) == ("AUD502", 4)


def _loop_over(value_flows: list[FlowFact]) -> FileFacts:
    fn = "app.loader.load"
    return FileFacts(
        path="app/loader.py",
        module="app.loader",
        status="ok",
        facts=[
            *function(fn, 1),
            *value_flows,
            call(fn, 5, 1, "importlib.import_module", "importlib.import_module"),
            flow(fn, 5, "arg", "name:lib", call_id=1, position=0),
        ],
    )


def test_a_sink_fed_only_by_literals_is_shown_clean() -> None:
    fn = "app.loader.load"
    engine = TaintEngine([_loop_over([flow(fn, 2, "name:lib", how="for")])])
    assert engine.paths() == []
    assert engine.clean_sites == {("app/loader.py", 5, 5)}


def test_a_name_written_twice_or_from_elsewhere_is_not_shown_clean() -> None:
    fn = "app.loader.load"
    twice = [flow(fn, 2, "name:lib", "name:other"), flow(fn, 3, "name:lib", how="=")]
    engine = TaintEngine([_loop_over(twice)])
    engine.paths()
    assert engine.clean_sites == set()
    engine = TaintEngine([_loop_over([flow(fn, 2, "name:lib", "ref:app.settings.LIB")])])
    engine.paths()
    assert engine.clean_sites == set()


@pytest.mark.parametrize(("branch", "paths"), [(True, 1), (False, 0)])
def test_a_value_written_on_some_paths_keeps_the_old_one(branch: bool, paths: int) -> None:
    """``q = request.args["q"]; if not q: q = "x"; os.system(q)``: q may still be the
    request's; an unconditional ``q = "x"`` replaces it."""
    fn = "app.views.run"
    ff = FileFacts(
        path="app/views.py",
        module="app.views",
        status="ok",
        facts=[
            *function(fn, 1),
            flow(fn, 2, "name:q", "ref:flask.request.args"),
            flow(fn, 4, "name:q", branch=branch),
            call(fn, 5, 1, "os.system", "os.system"),
            flow(fn, 5, "arg", "name:q", call_id=1, position=0),
        ],
    )
    assert len(TaintEngine([ff]).paths()) == paths

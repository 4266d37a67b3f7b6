"""The taint domain's flow facts (``python_flows``, ``extractors.taint.flows``): exact rows for
each construct, and the links to ``python_calls`` / ``python_call_args``.

The golden ``fixtures/goldens/taint_flows.py`` pins a realistic file; these tests pin one
construct each.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from auditls.extractors import extract
from auditls.extractors.walker import REGISTRY
from auditls.facts.core import CallArgFact, CallFact
from auditls.facts.taint import HOWS, FlowFact

ROOT = Path(__file__).resolve().parent.parent

Row = tuple[str, tuple[str, ...], str, int | None, int | None, str | None]


def facts(source: str) -> tuple[list[FlowFact], dict[str, int]]:
    """The flow rows of a small module, and its call ids by the callee as written."""
    ff = extract(textwrap.dedent(source).encode(), "m.py")
    assert ff.status == "ok", ff.error
    assert ff.extractor_errors == []
    calls = {c.callee_text: c.call_id for c in ff.of(CallFact)}
    return ff.of(FlowFact), calls


def rows(source: str, function: str | None = "m.f") -> list[Row]:
    """(target, inputs, how, call_id, position, keyword) of each row of ``function``."""
    found, _ = facts(source)
    return [
        (f.target, f.inputs, f.how, f.call_id, f.position, f.keyword)
        for f in found
        if function is None or f.function == function
    ]


def test_registered_and_runs_on_every_file() -> None:
    cls = next(c for c in REGISTRY if c.name == "taint.flows")
    assert cls.fact_types == (FlowFact,)
    assert cls.needs.always  # declares no knowledge: no pre-filter
    assert rows("x = y\n", None) == [("name:x", ("name:y",), "=", None, None, None)]


# -- the examples of the brief ------------------------------------------------------------------


def test_send_file_of_a_joined_path() -> None:
    found, calls = facts(
        """
        import os
        from flask import request, send_file
        def f(base):
            send_file(os.path.join(base, request.args["name"]))
        """
    )
    send, join = calls["send_file"], calls["os.path.join"]
    assert (send, join) == (0, 1)
    assert [(f.target, f.inputs, f.how, f.call_id, f.position, f.keyword) for f in found] == [
        ("arg", (f"call:{join}",), "=", send, 0, None),
        ("arg", ("name:base",), "=", join, 0, None),
        ("arg", ("ref:flask.request.args",), "=", join, 1, None),
    ]
    # the receiver os.path is a resolved import: the callee names it, no receiver row
    assert [(f.line, f.col) for f in found] == [(5, 15), (5, 28), (5, 34)]


def test_sql_built_by_concatenation() -> None:
    src = """
        from flask import request
        def f(cur):
            q = "SELECT " + request.args["id"]
            cur.execute(q)
        """
    _, calls = facts(src)
    execute = calls["cur.execute"]
    assert rows(src) == [
        ("name:q", ("ref:flask.request.args",), "concat", None, None, None),
        ("receiver", ("name:cur",), "=", execute, None, None),
        ("arg", ("name:q",), "=", execute, 0, None),
    ]


def test_return_of_concatenated_request_data() -> None:
    src = """
        from flask import request
        def f():
            return "<h1>Hi " + request.args["name"]
        """
    assert rows(src) == [("return", ("ref:flask.request.args",), "concat", None, None, None)]


def test_session_item_store() -> None:
    src = """
        from flask import request, session
        def f():
            session["role"] = request.form["role"]
        """
    assert rows(src) == [("item:flask.session", ("ref:flask.request.form",), "=", None, None, None)]


def test_method_call_receiver_chain() -> None:
    src = """
        from flask import request
        def f():
            x = request.args.get("x").strip()
        """
    _, calls = facts(src)
    strip, get = calls['request.args.get("x").strip'], calls["request.args.get"]
    assert (strip, get) == (0, 1)
    assert rows(src) == [
        ("name:x", (f"call:{strip}",), "=", None, None, None),
        ("receiver", (f"call:{get}",), "=", strip, None, None),
        # request.args is resolved (the callee is flask.request.args.get): no receiver row;
        # the literal "x" gives no argument row
    ]


# -- assignments ----------------------------------------------------------------------------------


def test_assignments() -> None:
    src = """
        def f(a, b):
            x = a
            y: str = b
            p = q = a
            n = 1
            x += b
        """
    assert rows(src) == [
        ("name:x", ("name:a",), "=", None, None, None),
        ("name:y", ("name:b",), "=", None, None, None),
        ("name:p", ("name:a",), "=", None, None, None),
        ("name:q", ("name:a",), "=", None, None, None),
        ("name:n", (), "=", None, None, None),  # a literal: the name is overwritten, clean
        ("name:x", ("name:x", "name:b"), "aug", None, None, None),
    ]


def test_unpacking_one_row_per_name() -> None:
    src = """
        def f(a, b, pair):
            x, y = a, b
            m, (n, *rest) = pair
            [i, j] = a, (b, 1)
        """
    assert rows(src) == [
        ("name:x", ("name:a",), "unpack", None, None, None),
        ("name:y", ("name:b",), "unpack", None, None, None),
        ("name:m", ("name:pair",), "unpack", None, None, None),
        ("name:n", ("name:pair",), "unpack", None, None, None),
        ("name:rest", ("name:pair",), "unpack", None, None, None),
        ("name:i", ("name:a",), "unpack", None, None, None),
        ("name:j", ("name:b",), "unpack", None, None, None),
    ]


def test_attribute_and_item_stores() -> None:
    src = """
        import os
        from flask import g
        def f(self, d, k, v):
            self.items = v
            g.user = v
            d[k] = v
            self.cache[k] = v
            os.environ["X"] = v
            self.n += v
            d[k] += v
        """
    assert rows(src) == [
        ("attr:self.items", ("name:v",), "=", None, None, None),
        ("ref:flask.g.user", ("name:v",), "=", None, None, None),
        ("item:name:d", ("name:v",), "=", None, None, None),
        ("item:attr:self.cache", ("name:v",), "=", None, None, None),
        ("item:os.environ", ("name:v",), "=", None, None, None),
        ("attr:self.n", ("attr:self.n", "name:v"), "aug", None, None, None),
        ("item:name:d", ("name:d", "name:v"), "aug", None, None, None),
    ]


def test_walrus() -> None:
    src = """
        def f(a):
            if (n := a.strip()):
                return n
        """
    assert rows(src) == [
        ("name:n", ("call:0",), "walrus", None, None, None),
        ("receiver", ("name:a",), "=", 0, None, None),
        ("return", ("name:n",), "=", None, None, None),
    ]


# -- inputs: names, references, attributes, calls -------------------------------------------------


def test_inputs_name_ref_attr_call() -> None:
    src = """
        import os
        import sys as system
        from flask import request
        ALIAS = request.form
        CONFIG = {}
        def f(p, obj):
            local = p
            x = (local, obj.data.field, os.environ, system.argv, ALIAS, CONFIG, len, g(p))
        """
    _, calls = facts(src)
    assert rows(src)[1] == (
        "name:x",
        (
            "name:local",
            "attr:obj.data.field",
            "ref:os.environ",
            "ref:sys.argv",
            "ref:flask.request.form",  # a module-level alias of an import
            "name:CONFIG",  # a global of this module
            "ref:builtins.len",
            f"call:{calls['g']}",
        ),
        "=",
        None,
        None,
        None,
    )


def test_subscripts_read_through_to_their_value() -> None:
    src = """
        from flask import request
        def f(d, k):
            a = request.args["name"]
            b = d[k][0]
            c = d.get(k)[1:]
        """
    assert rows(src)[:3] == [
        ("name:a", ("ref:flask.request.args",), "=", None, None, None),
        ("name:b", ("name:d",), "=", None, None, None),  # the index is not an input
        ("name:c", ("call:0",), "=", None, None, None),
    ]


def test_inputs_are_unique_and_in_source_order() -> None:
    src = """
        def f(a, b):
            x = b + a + b + -a
        """
    assert rows(src) == [("name:x", ("name:b", "name:a"), "concat", None, None, None)]


def test_booleans_carry_nothing() -> None:
    src = """
        def f(a, b):
            x = a == b
            y = not a
            z = a or b
        """
    assert rows(src) == [
        ("name:x", (), "=", None, None, None),
        ("name:y", (), "=", None, None, None),
        ("name:z", ("name:a", "name:b"), "=", None, None, None),
    ]


# -- how: format, concat, allowlist, await, comprehension -----------------------------------------


def test_formatting() -> None:
    src = """
        def f(a, b, w):
            x = f"hi {a} {b:{w}}"
            y = "id=%s" % a
            z = "{}-{}".format(a, b)
            t = f"plain"
            n = a % b
        """
    assert rows(src) == [
        ("name:x", ("name:a", "name:b", "name:w"), "format", None, None, None),
        ("name:y", ("name:a",), "format", None, None, None),
        ("name:z", ("name:a", "name:b"), "format", None, None, None),
        ("arg", ("name:a",), "=", 0, 0, None),  # the format call's own arguments
        ("arg", ("name:b",), "=", 0, 1, None),
        ("name:t", (), "=", None, None, None),
        ("name:n", ("name:a", "name:b"), "concat", None, None, None),
    ]


def test_conditional_expression_and_allowlist() -> None:
    src = """
        ALLOWED = {"a", "b"}
        def f(x, c, d):
            y = x if c else d
            z = x if x in ALLOWED else "a"
            w = x if x in ("a", "b") else d
        """
    assert rows(src) == [
        ("name:y", ("name:x", "name:d"), "=", None, None, None),  # not the test
        ("name:z", ("name:x",), "allowlist", None, None, None),
        ("name:w", ("name:x", "name:d"), "allowlist", None, None, None),
    ]


def test_await() -> None:
    src = """
        async def f(client):
            r = await client.get()
            return await r.json()
        """
    assert rows(src) == [
        ("name:r", ("call:0",), "await", None, None, None),
        ("receiver", ("name:client",), "=", 0, None, None),
        ("return", ("call:1",), "await", None, None, None),
        ("receiver", ("name:r",), "=", 1, None, None),
    ]


def test_comprehensions_are_coarse() -> None:
    src = """
        def f(rows, k):
            names = [r[k] for r in rows if r]
            index = {key: v for key, v in rows}
        """
    assert rows(src) == [
        ("name:names", ("name:r", "name:rows"), "comprehension", None, None, None),
        ("name:r", ("name:rows",), "comprehension", None, None, None),
        ("name:index", ("name:key", "name:v", "name:rows"), "comprehension", None, None, None),
        ("name:key", ("name:rows",), "comprehension", None, None, None),
        ("name:v", ("name:rows",), "comprehension", None, None, None),
    ]


def test_lambda_results_are_coarse() -> None:
    src = """
        def f(rows, k):
            key = lambda r: r.get(k)
        """
    # the body's call is numbered when the walker reaches the body (later): read through,
    # after the lambda itself (a function of this scope that a later `key(x)` runs)
    assert rows(src) == [("name:key", ("name:<lambda>", "name:r", "name:k"), "=", None, None, None)]
    # inside the lambda, its own call rows, and its body as its return value
    assert rows(src, "m.f.<locals>.<lambda>") == [
        ("receiver", ("name:r",), "=", 0, None, None),
        ("return", ("call:0",), "=", None, None, None),
        ("arg", ("name:k",), "=", 0, 0, None),
    ]


def test_match_captures_take_the_subject() -> None:
    src = """
        def f(cmd):
            match cmd:
                case [name, *rest]:
                    pass
                case {"k": v, **others}:
                    pass
                case int(n) | str(n):
                    pass
        """
    assert rows(src) == [
        ("name:name", ("name:cmd",), "unpack", None, None, None),
        ("name:rest", ("name:cmd",), "unpack", None, None, None),
        ("name:others", ("name:cmd",), "unpack", None, None, None),
        ("name:v", ("name:cmd",), "unpack", None, None, None),
        ("name:n", (), "unpack", None, None, None),  # int(n): a number
        ("name:n", ("name:cmd",), "unpack", None, None, None),  # str(n)
    ]


@pytest.mark.parametrize(
    ("test", "inputs"),
    [
        ("7 * 42 > 200", ("name:a",)),
        ("7 * 42 < 200", ("name:b",)),
        ("not 0 and 'x' == 'x'", ("name:a",)),
        ("DEBUG", ("name:a", "name:b")),  # not a constant: both branches
        ("10 ** 100 > 1", ("name:a", "name:b")),  # `**` is not worked out
        ("1 // 0", ("name:a", "name:b")),
    ],
)
def test_a_constant_condition_takes_only_its_live_branch(
    test: str, inputs: tuple[str, ...]
) -> None:
    src = f"""
        def f(a, b):
            x = a if {test} else b
        """
    assert rows(src) == [("name:x", inputs, "=", None, None, None)]


# -- statements: return, yield, for, with ---------------------------------------------------------


def test_returns_and_yields() -> None:
    src = """
        def f(a):
            yield a
            yield from a.items()
            yield
            return
        def g():
            return None
        """
    assert rows(src, None) == [
        ("yield", ("name:a",), "=", None, None, None),
        ("yield", ("call:0",), "=", None, None, None),
        ("receiver", ("name:a",), "=", 0, None, None),
        # a bare yield or return, or a literal returned: nothing flows, no row
    ]


def test_for_loop_over_request_data() -> None:
    src = """
        from flask import request
        def f():
            for key, value in request.args.items():
                print(key, value)
            for name in request.form:
                pass
        """
    _, calls = facts(src)
    items, out = calls["request.args.items"], calls["print"]
    assert rows(src) == [
        ("name:key", (f"call:{items}",), "for", None, None, None),
        ("name:value", (f"call:{items}",), "for", None, None, None),
        ("arg", ("name:key",), "=", out, 0, None),
        ("arg", ("name:value",), "=", out, 1, None),
        ("name:name", ("ref:flask.request.form",), "for", None, None, None),
    ]


def test_with_as() -> None:
    src = """
        def f(path):
            with open(path) as fh, lock:
                pass
        """
    assert rows(src) == [
        ("arg", ("name:path",), "=", 0, 0, None),
        ("name:fh", ("call:0",), "with", None, None, None),
    ]


# -- calls: arguments and receivers ---------------------------------------------------------------


def test_arguments_positions_and_keywords() -> None:
    src = """
        def f(a, args, kw):
            g(a, 1, *args, key=a.b, flag=True, **kw)
        """
    assert rows(src) == [
        ("arg", ("name:a",), "=", 0, 0, None),
        ("arg", ("name:args",), "=", 0, 2, "*"),
        ("arg", ("attr:a.b",), "=", 0, -1, "key"),
        ("arg", ("name:kw",), "=", 0, -1, "**"),
    ]


def test_receivers() -> None:
    src = """
        import json
        from pathlib import Path
        class K:
            @classmethod
            def make(cls):
                pass
        def f(self, x):
            x.strip()
            self.db.execute(x)
            "-".join(x)
            str.join(x)
            json.dumps(x)
            K.make()
            (x + "!").upper()
        """
    assert [r for r in rows(src) if r[0] == "receiver"] == [
        ("receiver", ("name:x",), "=", 0, None, None),
        ("receiver", ("attr:self.db",), "=", 1, None, None),
        # a literal, a builtin class, an imported module, a class: no receiver row
        ("receiver", ("name:x",), "concat", 6, None, None),
    ]


def test_arg_rows_match_call_arg_facts() -> None:
    """Every ``arg`` row has the ``python_call_args`` row of the same call, place and position;
    every ``call:<id>`` input and receiver names a ``python_calls`` row."""
    for source in sorted((ROOT / "fixtures").rglob("*.py")):
        ff = extract(source.read_bytes(), source.name)
        if ff.status != "ok":
            continue
        calls = {c.call_id: c for c in ff.of(CallFact)}
        args = {(a.call_id, a.position, a.keyword, a.line, a.col) for a in ff.of(CallArgFact)}
        for f in ff.of(FlowFact):
            assert f.how in HOWS, f
            if f.target == "arg":
                assert (f.call_id, f.position, f.keyword, f.line, f.col) in args, (source, f)
            elif f.target == "receiver":
                assert f.call_id in calls, (source, f)
                # a method's object, or the `|` called (a Celery chain)
                assert calls[f.call_id].attr is not None or f.how == "concat", (source, f)
            for i in f.inputs:
                if i.startswith("call:"):
                    assert int(i[5:]) in calls, (source, f)


def test_positions_count_code_points() -> None:
    found, _ = facts('def f(a):\n    s = "é" + a; g("ü", a)\n')
    assert [(f.target, f.col, f.end_col) for f in found] == [("name:s", 5, 6), ("arg", 25, 26)]


# -- guards ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "check",
    [
        "x not in ALLOWED",
        "not (x in ALLOWED)",
        '".." in x',
        "not x.isdigit()",
        "not x.isalnum()",
        "not re.fullmatch(PATTERN, x)",
        "not re.match(PATTERN, string=x)",
        "not PATTERN.fullmatch(x)",
        "not x or x not in ALLOWED",
    ],
)
@pytest.mark.parametrize(
    "leave", ["abort(400)", "raise ValueError(x)", "return None", "sys.exit(1)"]
)
def test_guards(check: str, leave: str) -> None:
    src = f"""
        import re, sys
        from flask import abort
        def f(x):
            if {check}:
                {leave}
            return x
        """
    found, _ = facts(src)
    guards = [(f.target, f.inputs, f.how, f.line, f.col) for f in found if f.target == "guard"]
    how = "reject:path" if check == '".." in x' else "reject"  # `..` only keeps paths in
    assert guards == [("guard", ("name:x",), how, 5, 5)]


@pytest.mark.parametrize(
    "code",
    [
        "if x in ALLOWED:\n        abort(400)",  # the check passes: nothing rejected
        "if not x:\n        abort(400)",  # not a check of the value's content
        "if x not in ALLOWED:\n        log(x)",  # falls through
        "if a and x not in ALLOWED:\n        abort(400)",  # only under a condition
        "if a:\n        pass\n    elif x not in ALLOWED:\n        abort(400)",  # elif
        "for y in z:\n        if x not in ALLOWED:\n            abort(400)",  # in a loop
        "if a:\n        if x not in ALLOWED:\n            abort(400)",  # in a branch
        "try:\n        pass\n    except E:\n        if x not in ALLOWED:\n            abort(400)",
    ],
)
def test_no_guard(code: str) -> None:
    src = f"from flask import abort\ndef f(x, a, z):\n    {code}\n"
    assert [f for f in facts(src)[0] if f.how.startswith("reject")] == []


@pytest.mark.parametrize(
    ("check", "how"),
    [
        ("x in ALLOWED", "accept"),
        ("x in ('a', 'b')", "accept"),
        ('x == "admin"', "accept"),
        ("x.isdigit()", "accept"),
        ("re.fullmatch(PATTERN, x)", "accept"),
        ("PATTERN.match(x)", "accept"),
        ("x.isdigit() and len(x) < 5", "accept"),
        ('".." not in x', "accept:path"),
    ],
)
def test_a_validation_cleans_the_body_it_guards(check: str, how: str) -> None:
    src = f"""
        import re
        def f(x):
            if {check}:
                run(x)
                run(x + "!")
            else:
                run(x)
        """
    found, _ = facts(src)
    guards = [(f.inputs, f.how, f.line, f.end_line) for f in found if f.target == "guard"]
    assert guards == [(("name:x",), how, 5, 6)]  # the row spans the body, not the else


@pytest.mark.parametrize("check", ["x.isdigit() or y", "x not in ALLOWED", "len(x) < 5", "x"])
def test_no_validation_no_clean_body(check: str) -> None:
    src = f"def f(x, y):\n    if {check}:\n        run(x)\n"
    assert [f for f in facts(src)[0] if f.target == "guard"] == []


def test_guard_in_a_with_or_try_body() -> None:
    src = """
        from flask import abort
        def f(x):
            with lock:
                try:
                    if x not in ALLOWED:
                        abort(400)
                finally:
                    pass
        """
    assert [f.inputs for f in facts(src)[0] if f.target == "guard"] == [("name:x",)]


def test_deep_expression_does_not_recurse() -> None:
    source = (
        "def f(a):\n    x = "
        + " + ".join(["a"] * 3000)
        + "\n    g("
        + "[" * 90
        + "a"
        + "]" * 90
        + ")\n"
    )
    assert rows(source) == [
        ("name:x", ("name:a",), "concat", None, None, None),
        ("arg", ("name:a",), "=", 0, 0, None),
    ]


def test_rows_on_some_paths_only_are_marked_branch() -> None:
    src = """
        def f(x, items):
            a = x
            if x:
                b = x
            for i in items:
                c = i
            try:
                d = x
            except E:
                e = x
            with open(x) as fh:
                g = fh
        """
    found, _ = facts(src)
    branch = {f.target: f.branch for f in found if f.target.startswith("name:")}
    assert branch == {
        "name:a": False,
        "name:b": True,
        "name:i": False,  # the loop's target is bound as the loop starts
        "name:c": True,
        "name:d": False,  # a try body runs (until it raises)
        "name:e": True,
        "name:fh": False,
        "name:g": False,
    }


@pytest.mark.parametrize(
    ("body", "guarded"),
    [
        ('x = "name"', True),  # the bad value is replaced
        ("x = default()", True),
        ("x = x.lower()", False),  # still made from x
        ('y = "name"', False),  # another name
        ('x = "name"\n        log(x)', False),  # not the last statement
    ],
)
def test_a_check_whose_body_replaces_the_value_is_a_guard(body: str, guarded: bool) -> None:
    src = f"def f(x):\n    if x not in ALLOWED:\n        {body}\n    run(x)\n"
    guards = [f.how for f in facts(src)[0] if f.target == "guard"]
    assert guards == (["reject"] if guarded else [])

"""The checks of the 1xx rules: dangerous calls.

Call-shaped rules look callees up by resolved qualified name (``FactIndex.calls``) in the
tables of ``auditls.knowledge.security`` and read the arguments from the core facts;
``index.rate`` turns the dangerous argument's source into a confidence. Rules about files, SQL and
source text read the security facts the extractors wrote for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from auditls.facts.core import CallFact, ImportFact
from auditls.facts.security import (
    BidiControlFact,
    DangerousCallFact,
    FileOperationFact,
    SqlQueryFact,
)
from auditls.knowledge.security import (
    DESERIALIZATION_CALLS,
    DYNAMIC_CODE_CALLS,
    DYNAMIC_IMPORT_CALLS,
    EXEC_CALLS,
    LOGGING_LISTEN_CALLS,
    LXML_PARSERS,
    MARKUP_CALLS,
    SHELL_CALLS,
    TEMPLATE_SOURCE_CALLS,
    URL_OPEN_CALLS,
    XML_PARSE_CALLS,
    XMLRPC_MODULES,
    YAML_LOAD_CALLS,
    Arg,
)
from auditls.rules.catalogue_calls import (
    ABSOLUTE_PATH_PREFIXES,
    ALL_INTERFACES,
    AUTOESCAPE_OFF,
    BIDI_CONTROL,
    BIND_ALL,
    BIND_KEYWORDS,
    BIND_METHODS,
    CLEARTEXT,
    CLEARTEXT_CALLS,
    DESERIALIZATION_SWITCHES,
    DYNAMIC_CODE,
    DYNAMIC_IMPORT,
    HARDCODED_TMP,
    HF_DOWNLOAD_FUNCTIONS,
    HF_PRETRAINED_PACKAGES,
    HF_REVISION_KEYWORDS,
    HTTP_TIMEOUT_CALLS,
    HTTP_TIMEOUT_NONE_CALLS,
    HTTPOXY,
    HTTPOXY_CALLS,
    INSECURE_SNMP,
    INSECURE_TEMPFILE,
    IPMI,
    LOGGING_LISTEN,
    NO_TIMEOUT,
    PARTIAL_PATH,
    PERMISSIVE_MODE,
    SHELL_INJECTION,
    SNMP_COMMUNITY,
    SNMP_USER,
    SQL_INJECTION,
    SSH_BAD_POLICIES,
    SSH_HOST_KEY,
    SSH_SET_POLICY,
    TAR_EXTRACTION,
    TEMPLATE_INJECTION,
    TLS_UNVERIFIED,
    TLS_UNVERIFIED_NAMES,
    TLS_VERIFY_ALIASES,
    TLS_VERIFY_ATTRIBUTES,
    TLS_VERIFY_KEYWORDS,
    UNPINNED_DOWNLOAD,
    UNSAFE_DESERIALIZATION,
    UNSAFE_MARKUP,
    UNSAFE_YAML,
    URL_OPEN,
    VARIABLE_PROGRAM,
    WEAK_TLS,
    WEAK_TLS_NAMES,
    WILDCARD_INJECTION,
    WILDCARD_PROGRAMS,
    WRAP_SOCKET,
    XML_ENTITIES,
    XML_UNTRUSTED,
    XMLRPC,
    YAML_SAFE_LOADERS,
    YAML_UNSAFE_LOADERS,
    ZIP_EXTRACTION,
)
from auditls.rules.findings import Finding
from auditls.rules.index import (
    SOURCE_CONFIDENCE,
    Check,
    FactIndex,
    at_call,
    at_fact,
    has_kwargs,
    json_value,
    keyword_arg,
    locate,
    rate,
    short,
    truthy_literal,
    value_of,
)


def _argument_rule(
    index: FactIndex, code: str, table: Mapping[str, Arg], **fields: str
) -> Iterator[Finding]:
    """A rule whose danger is one argument's value: report non-literals, rated by source."""
    for callee, spec in table.items():
        for call in index.calls(callee):
            located = locate(index.args(call), spec)
            if located is None:
                continue
            arg, hidden = located
            confidence = rate(index, call, arg, hidden)
            if confidence is not None:
                yield at_call(index, code, call, confidence, arg=short(arg.text), **fields)


def check_dynamic_code(index: FactIndex) -> Iterator[Finding]:
    """AUD101, message fields: callee, arg."""
    for callee, spec in DYNAMIC_CODE_CALLS.items():
        for call in index.calls(callee):
            located = locate(index.args(call), spec)
            if located is None:
                continue
            arg, hidden = located
            if arg.kind == "call" and arg.qualname == "builtins.compile" and not hidden:
                continue  # exec(compile(src, ...)): the compile call carries the finding
            confidence = rate(index, call, arg, hidden)
            if confidence is not None:
                yield at_call(index, DYNAMIC_CODE, call, confidence, arg=short(arg.text))


def _shell_on(index: FactIndex, call: CallFact, shell: Arg | None) -> str | None:
    """How the call uses a shell ("" always, " (shell=True)"), or None when it does not."""
    if shell is None:
        return ""
    located = locate(index.args(call), shell)
    if located is None or located[1] or not truthy_literal(located[0]):
        return None
    return f" (shell={short(located[0].text, 10)})"


def check_shell_injection(index: FactIndex) -> Iterator[Finding]:
    """AUD102, message fields: callee, arg, how."""
    for callee, spec in SHELL_CALLS.items():
        for call in index.calls(callee):
            how = _shell_on(index, call, spec.shell)
            if how is None:
                continue
            located = locate(index.args(call), spec.command)
            if located is None:
                continue
            arg, hidden = located
            confidence = rate(index, call, arg, hidden)
            if confidence is not None:
                yield at_call(
                    index, SHELL_INJECTION, call, confidence, arg=short(arg.text), how=how
                )


def check_unsafe_yaml(index: FactIndex) -> Iterator[Finding]:
    """AUD103, message fields: callee, reason."""
    for callee, spec in YAML_LOAD_CALLS.items():
        for call in index.calls(callee):
            confidence = "high"
            if spec.loader is None:
                reason = "always uses an unsafe loader"
            else:
                located = locate(index.args(call), spec.loader)
                if located is None or (located[0].kind == "constant" and not located[1]):
                    reason = "is called without a safe Loader"
                else:
                    loader, hidden = located
                    name = loader.qualname
                    if hidden:
                        reason, confidence = "gets its Loader from unpacked arguments", "medium"
                    elif name is not None and (
                        name in YAML_SAFE_LOADERS or index.derives_from(name, YAML_SAFE_LOADERS)
                    ):
                        continue
                    elif name in YAML_UNSAFE_LOADERS:
                        reason = f"uses the unsafe loader `{short(loader.text)}`"
                    else:
                        reason = f"uses the loader `{short(loader.text)}`, not known to be safe"
                        confidence = "medium"
            yield at_call(index, UNSAFE_YAML, call, confidence, reason=reason)


def check_unsafe_deserialization(index: FactIndex) -> Iterator[Finding]:
    """AUD104, message fields: callee, arg, how."""
    for callee, spec in DESERIALIZATION_CALLS.items():
        for call in index.calls(callee):
            args = index.args(call)
            located = locate(args, spec)
            text = short(located[0].text) if located else "its input"
            switch = DESERIALIZATION_SWITCHES.get(callee)
            if switch is not None:
                keyword, safe, safe_by_default = switch
                arg = keyword_arg(args, keyword)
                value = value_of(arg)
                if arg is None:
                    if safe_by_default:
                        continue
                    confidence = "low" if has_kwargs(args) else "medium"
                    how = f" without `{keyword}={safe}`"
                elif value is NotImplemented:
                    continue  # decided at run time: trust it
                elif bool(value) == safe:
                    continue
                else:
                    confidence, how = "high", f" with `{keyword}={short(arg.text, 12)}`"
                yield at_call(index, UNSAFE_DESERIALIZATION, call, confidence, arg=text, how=how)
                continue
            if located is None:
                continue
            rated = rate(index, call, *located)
            if rated is not None:
                yield at_call(index, UNSAFE_DESERIALIZATION, call, rated, arg=text, how="")


def check_dynamic_import(index: FactIndex) -> Iterator[Finding]:
    """AUD105, message fields: callee, arg."""
    yield from _argument_rule(index, DYNAMIC_IMPORT, DYNAMIC_IMPORT_CALLS)


def check_logging_listen(index: FactIndex) -> Iterator[Finding]:
    """AUD106, message fields: callee."""
    for callee, spec in LOGGING_LISTEN_CALLS.items():
        for call in index.calls(callee):
            located = locate(index.args(call), spec)
            if located is None or value_of(located[0]) is None:
                yield at_call(index, LOGGING_LISTEN, call, "high")


def check_variable_program(index: FactIndex) -> Iterator[Finding]:
    """AUD107, message fields: callee, arg."""
    yield from _argument_rule(index, VARIABLE_PROGRAM, EXEC_CALLS)


def check_partial_path(index: FactIndex) -> Iterator[Finding]:
    """AUD108, message fields: callee, program."""
    for fact in index.facts(DangerousCallFact):
        program = fact.program
        if fact.category != "command" or program is None or fact.hidden:
            continue
        if program.startswith(ABSOLUTE_PATH_PREFIXES) or program[1:3] in (":\\", ":/"):
            continue
        if "/" not in program and "\\" not in program:
            continue  # a bare name, looked up on PATH: the ordinary way to start a program
        call = index.calls_by_id.get(fact.call_id)
        if call is not None:
            yield at_call(index, PARTIAL_PATH, call, "medium", program=short(program, 30))


def check_wildcard_injection(index: FactIndex) -> Iterator[Finding]:
    """AUD109, message fields: callee, program."""
    for callee, spec in SHELL_CALLS.items():
        for call in index.calls(callee):
            if _shell_on(index, call, spec.shell) is None:
                continue
            located = locate(index.args(call), spec.command)
            command = value_of(located[0]) if located and not located[1] else None
            if not isinstance(command, str):
                continue
            words = command.split()
            program = words[0].rpartition("/")[2] if words else ""
            if program not in WILDCARD_PROGRAMS:
                continue
            for i, word in enumerate(words):
                if "*" in word and not word.startswith(("./", "/")) and "--" not in words[:i]:
                    yield at_call(index, WILDCARD_INJECTION, call, "medium", program=program)
                    break


def check_xml_untrusted(index: FactIndex) -> Iterator[Finding]:
    """AUD110, message fields: callee, arg."""
    if index.imports_module("defusedxml"):
        return
    for callee, spec in XML_PARSE_CALLS.items():
        for call in index.calls(callee):
            args = index.args(call)
            if keyword_arg(args, "parser") is not None:
                continue  # an explicit parser: its own configuration decides (AUD111)
            located = locate(args, spec)
            if located is None:
                continue
            confidence = rate(index, call, *located)
            if confidence is not None:
                yield at_call(index, XML_UNTRUSTED, call, confidence, arg=short(located[0].text))


def check_xml_entities(index: FactIndex) -> Iterator[Finding]:
    """AUD111, message fields: callee, option."""
    for call in index.calls_of(LXML_PARSERS):
        args = index.args(call)
        for name, bad in (("resolve_entities", True), ("no_network", False)):
            arg = keyword_arg(args, name)
            value = value_of(arg)
            if arg is not None and value is not NotImplemented and bool(value) == bad:
                yield at_call(index, XML_ENTITIES, call, "high", option=f"{name}={arg.text}")
                break


def _one_per_line(index: FactIndex) -> Iterator[ImportFact]:
    """The imports of a file, the first name of each line only (`from m import a, b`)."""
    seen: set[int] = set()
    for imp in index.imports:
        if imp.line not in seen:
            seen.add(imp.line)
            yield imp


def check_xmlrpc(index: FactIndex) -> Iterator[Finding]:
    """AUD112, message fields: module."""
    if index.calls("defusedxml.xmlrpc.monkey_patch"):
        return
    for imp in _one_per_line(index):
        root = imp.target.partition(".")[0]
        if root in XMLRPC_MODULES:
            yield at_fact(index, XMLRPC, imp, "medium", module=imp.target)


_HOW = {
    "fstring": "an f-string",
    "percent": "`%` formatting",
    "format": "`.format()`",
    "concat": "string concatenation",
}
_FUNCTION_SINKS = frozenset({"text", "rawsql", "read_sql", "sql", "extra"})


def check_sql_injection(index: FactIndex) -> Iterator[Finding]:
    """AUD113, message fields: sink, how, parts."""
    for fact in index.facts(SqlQueryFact):
        if fact.interpolation not in _HOW or fact.parts_source in ("literal", "constant"):
            continue
        if fact.sink not in _FUNCTION_SINKS and not fact.looks_like_sql:
            continue
        call = index.calls_by_id.get(fact.call_id)
        sink = f"`{short(call.callee_text)}()`" if call is not None else f"`{fact.sink}()`"
        confidence = "high" if fact.parts_source in ("param", "request") else "medium"
        yield at_fact(
            index, SQL_INJECTION, fact, confidence, sink=sink, how=_HOW[fact.interpolation],
            parts=short(", ".join(fact.parts), 60),
        )  # fmt: skip


_JINJA_ENVIRONMENTS = ("jinja2.Environment", "jinja2.environment.Environment")
_SELECT_AUTOESCAPE = ("jinja2.select_autoescape", "jinja2.utils.select_autoescape")
_MAKO = ("mako.template.Template", "mako.lookup.TemplateLookup")


def check_autoescape(index: FactIndex) -> Iterator[Finding]:
    """AUD114, message fields: callee, how."""
    for call in index.calls_of(_JINJA_ENVIRONMENTS):
        args = index.args(call)
        arg = keyword_arg(args, "autoescape")
        if arg is None:
            if has_kwargs(args):
                continue
            yield at_call(index, AUTOESCAPE_OFF, call, "high", how=" (no `autoescape`)")
            continue
        value = value_of(arg)
        if value is NotImplemented:
            if arg.kind == "call" and arg.qualname in _SELECT_AUTOESCAPE:
                continue
            how = f" unless `{short(arg.text, 30)}` is true"
            yield at_call(index, AUTOESCAPE_OFF, call, "medium", how=how)
        elif not value:
            yield at_call(index, AUTOESCAPE_OFF, call, "high", how=f" (`autoescape={arg.text}`)")
    for call in index.calls_of(_MAKO):
        args = index.args(call)
        arg = keyword_arg(args, "default_filters")
        value = value_of(arg)
        if arg is not None and (
            value is NotImplemented or (isinstance(value, list) and "h" in value)
        ):
            continue
        yield at_call(index, AUTOESCAPE_OFF, call, "high", how=" (no `h` in `default_filters`)")


def check_template_injection(index: FactIndex) -> Iterator[Finding]:
    """AUD115, message fields: callee, arg."""
    yield from _argument_rule(index, TEMPLATE_INJECTION, TEMPLATE_SOURCE_CALLS)


def check_unsafe_markup(index: FactIndex) -> Iterator[Finding]:
    """AUD116, message fields: callee, arg."""
    yield from _argument_rule(index, UNSAFE_MARKUP, MARKUP_CALLS)


def _file_operations(index: FactIndex, operation: str) -> Iterator[FileOperationFact]:
    for fact in index.facts(FileOperationFact):
        if fact.operation == operation:
            yield fact


def check_tar_extraction(index: FactIndex) -> Iterator[Finding]:
    """AUD117, message fields: callee, how."""
    for fact in _file_operations(index, "tar_extract"):
        if fact.extract_filter not in (None, "fully_trusted"):
            continue
        how = ' (`filter="fully_trusted"`)' if fact.extract_filter else ""
        yield at_fact(index, TAR_EXTRACTION, fact, "low" if fact.members else "high", how=how)


def check_zip_extraction(index: FactIndex) -> Iterator[Finding]:
    """AUD118, message fields: callee, arg."""
    for fact in _file_operations(index, "zip_extract"):
        confidence = SOURCE_CONFIDENCE.get(fact.path_source or "literal")
        if confidence is not None:
            yield at_fact(index, ZIP_EXTRACTION, fact, confidence, arg=short(fact.path_text or ""))


def check_insecure_tempfile(index: FactIndex) -> Iterator[Finding]:
    """AUD119, message fields: callee."""
    for fact in _file_operations(index, "mktemp"):
        yield at_fact(index, INSECURE_TEMPFILE, fact, "high")


def check_hardcoded_tmp(index: FactIndex) -> Iterator[Finding]:
    """AUD120, message fields: path."""
    for fact in _file_operations(index, "temp_path"):
        if fact.callee is not None and fact.callee.startswith("tempfile."):
            continue  # tempfile.mkstemp(dir="/tmp") creates the file safely
        yield at_fact(
            index, HARDCODED_TMP, fact, "medium", stmt_line=None, path=short(fact.path_text or "")
        )


def check_permissive_mode(index: FactIndex) -> Iterator[Finding]:
    """AUD121, message fields: callee, mode, who."""
    for fact in _file_operations(index, "chmod"):
        if fact.mode is None:
            continue
        if fact.mode & 0o002:
            who, confidence = "every user write", "high"
        elif fact.mode & 0o001:
            who, confidence = "every user execute", "low"
        else:
            continue
        yield at_fact(index, PERMISSIVE_MODE, fact, confidence, mode=oct(fact.mode), who=who)


def check_tls_unverified(index: FactIndex) -> Iterator[Finding]:
    """AUD122, message fields: what."""
    for callee, (name, bad) in TLS_VERIFY_KEYWORDS.items():
        for call in index.calls(callee):
            args = index.args(call)
            for keyword in (name, TLS_VERIFY_ALIASES.get(name)):
                arg = keyword_arg(args, keyword) if keyword else None
                if arg is not None and value_of(arg) == bad and type(value_of(arg)) is type(bad):
                    what = f"`{arg.keyword}={arg.text}` in `{short(call.callee_text)}()`"
                    yield at_call(index, TLS_UNVERIFIED, call, "high", what=what)
                    break
    for name in sorted(TLS_UNVERIFIED_NAMES):
        for call in index.calls(name):
            yield at_call(index, TLS_UNVERIFIED, call, "high", what=f"`{call.callee_text}()`")
        for arg in index.args_by_qualname.get(name, ()):
            user = index.calls_by_id.get(arg.call_id)
            if arg.kind in ("name", "attribute") and user is not None:
                yield at_call(index, TLS_UNVERIFIED, user, "high", what=f"`{short(arg.text)}`")
    for assignment in index.all_assignments:
        if assignment.qualname in TLS_UNVERIFIED_NAMES and assignment.kind in ("name", "attribute"):
            what = f"`{short(assignment.target)} = {short(assignment.text)}`"
            yield at_fact(index, TLS_UNVERIFIED, assignment, "high", what=what)
        elif (
            assignment.target_qualname in TLS_VERIFY_ATTRIBUTES
            and assignment.value is not None
            and json_value(assignment.value) is TLS_VERIFY_ATTRIBUTES[assignment.target_qualname]
        ):
            what = f"`{short(assignment.target)} = {short(assignment.text)}` on a client session"
            yield at_fact(index, TLS_UNVERIFIED, assignment, "high", what=what)


def check_weak_tls(index: FactIndex) -> Iterator[Finding]:
    """AUD123, message fields: what."""
    for name in sorted(WEAK_TLS_NAMES):
        for arg in index.args_by_qualname.get(name, ()):
            user = index.calls_by_id.get(arg.call_id)
            if arg.kind in ("name", "attribute") and user is not None:
                what = f"`{short(user.callee_text)}()` selects `{short(arg.text)}`"
                yield at_call(index, WEAK_TLS, user, "high", what=what)
    for assignment in index.all_assignments:
        if assignment.qualname in WEAK_TLS_NAMES and assignment.kind in ("name", "attribute"):
            what = f"`{short(assignment.target)} = {short(assignment.text)}`"
            yield at_fact(index, WEAK_TLS, assignment, "high", what=what)
    for call in index.calls(WRAP_SOCKET):
        if locate(index.args(call), Arg(5, ("ssl_version",))) is None:
            what = f"`{short(call.callee_text)}()` without `ssl_version` uses an old default"
            yield at_call(index, WEAK_TLS, call, "medium", what=what)


def check_ssh_host_key(index: FactIndex) -> Iterator[Finding]:
    """AUD124, message fields: callee, policy."""
    for name in sorted(SSH_BAD_POLICIES):
        for arg in index.args_by_qualname.get(name, ()):
            call = index.calls_by_id.get(arg.call_id)
            if call is not None and call.attr in SSH_SET_POLICY:
                yield at_call(index, SSH_HOST_KEY, call, "high", policy=name.rpartition(".")[2])


def check_timeout(index: FactIndex) -> Iterator[Finding]:
    """AUD125, message fields: callee."""
    for call in index.calls_of(HTTP_TIMEOUT_CALLS | HTTP_TIMEOUT_NONE_CALLS):
        args = index.args(call)
        arg = keyword_arg(args, "timeout")
        if arg is not None:
            if arg.value == "null":
                yield at_call(index, NO_TIMEOUT, call, "high")
        elif call.callee in HTTP_TIMEOUT_CALLS:
            yield at_call(index, NO_TIMEOUT, call, "low" if has_kwargs(args) else "high")


def check_url_open(index: FactIndex) -> Iterator[Finding]:
    """AUD126, message fields: callee, arg."""
    yield from _argument_rule(index, URL_OPEN, URL_OPEN_CALLS)


def check_cleartext(index: FactIndex) -> Iterator[Finding]:
    """AUD127, message fields: callee, protocol."""
    for callee, protocol in CLEARTEXT_CALLS.items():
        for call in index.calls(callee):
            yield at_call(index, CLEARTEXT, call, "high", protocol=protocol)


_BIND_WORDS = re.compile(r"(?:^|_)(?:host|bind|listen|address|addr|interface)(?:_|$)")


def _all_interfaces(value: object) -> str | None:
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, str):
        return None
    if value in ALL_INTERFACES:
        return value
    for address in ALL_INTERFACES:
        if value.startswith(address + ":"):
            return value
    return None


def check_bind_all(index: FactIndex) -> Iterator[Finding]:
    """AUD128, message fields: address."""
    for call in index.calls_by_id.values():
        for arg in index.args(call):
            if arg.keyword in BIND_KEYWORDS or (arg.position == 0 and call.attr in BIND_METHODS):
                address = _all_interfaces(value_of(arg))
                if address is not None:
                    yield at_call(index, BIND_ALL, call, "medium", address=address)
                    break
    for assignment in index.all_assignments:
        name = assignment.target_name or assignment.target.rpartition(".")[2]
        if _BIND_WORDS.search(name.lower()):
            address = _all_interfaces(json_value(assignment.value))
            if address is not None:
                yield at_fact(index, BIND_ALL, assignment, "medium", address=address)


_COMMIT = re.compile(r"[0-9a-fA-F]{7,64}")


def check_unpinned_download(index: FactIndex) -> Iterator[Finding]:
    """AUD129, message fields: callee, repo, how."""
    for callee, calls in index.calls_by_callee.items():
        root, _, rest = callee.partition(".")
        pretrained = root in HF_PRETRAINED_PACKAGES and rest.endswith("from_pretrained")
        if not pretrained and callee not in HF_DOWNLOAD_FUNCTIONS:
            continue
        for call in calls:
            args = index.args(call)
            repo = locate(args, Arg(0, ("pretrained_model_name_or_path", "repo_id", "path")))
            repo_value = value_of(repo[0]) if repo else None
            if isinstance(repo_value, str) and repo_value.startswith((".", "/", "~")):
                continue  # a local directory: nothing is downloaded
            revision = next((keyword_arg(args, k) for k in HF_REVISION_KEYWORDS
                             if keyword_arg(args, k) is not None), None)  # fmt: skip
            repo_text = short(repo[0].text) if repo else "a repository"
            if revision is None:
                if has_kwargs(args):
                    continue
                confidence, how = "medium", "without a pinned revision"
            else:
                value = value_of(revision)
                if not isinstance(value, str) or _COMMIT.fullmatch(value):
                    continue
                confidence, how = "low", f"at the moving revision `{short(value, 20)}`"
            yield at_call(index, UNPINNED_DOWNLOAD, call, confidence, repo=repo_text, how=how)


def check_bidi(index: FactIndex) -> Iterator[Finding]:
    """AUD130, message fields: codepoint, name, hex."""
    seen: set[int] = set()
    for fact in index.facts(BidiControlFact):
        if fact.line in seen:
            continue  # one finding per line: the first control character names it
        seen.add(fact.line)
        yield at_fact(
            index, BIDI_CONTROL, fact, "high", codepoint=fact.codepoint, name=fact.char_name,
            hex=fact.codepoint[2:].lower(),
        )  # fmt: skip


def check_snmp(index: FactIndex) -> Iterator[Finding]:
    """AUD131, message fields: callee, how."""
    for callee, calls in index.calls_by_callee.items():
        if not callee.startswith("pysnmp."):
            continue
        last = callee.rpartition(".")[2]
        for call in calls:
            args = index.args(call)
            if last == SNMP_COMMUNITY:
                model = value_of(keyword_arg(args, "mpModel"))
                how = "SNMPv1" if model == 0 else "SNMPv2c" if model in (1, NotImplemented) else ""
                if how and not (model is NotImplemented and keyword_arg(args, "mpModel")):
                    yield at_call(index, INSECURE_SNMP, call, "high", how=f"{how} (a community)")
            elif last == SNMP_USER:
                positional = sum(1 for a in args if a.keyword is None)
                keys = {a.keyword for a in args}
                if positional < 3 and "privKey" not in keys and not has_kwargs(args):
                    how = "SNMPv3 without " + (
                        "a privacy key" if positional == 2 or "authKey" in keys
                        else "authentication or privacy")  # fmt: skip
                    yield at_call(index, INSECURE_SNMP, call, "high", how=how)


def check_ipmi(index: FactIndex) -> Iterator[Finding]:
    """AUD132, message fields: module."""
    for imp in _one_per_line(index):
        if imp.target == "pyghmi" or imp.target.startswith("pyghmi."):
            yield at_fact(index, IPMI, imp, "medium", module=imp.target)


def check_httpoxy(index: FactIndex) -> Iterator[Finding]:
    """AUD133, message fields: callee."""
    for call in index.calls_of(HTTPOXY_CALLS):
        yield at_call(index, HTTPOXY, call, "high")


CALL_CHECKS: Mapping[str, Check] = {
    DYNAMIC_CODE: check_dynamic_code,
    SHELL_INJECTION: check_shell_injection,
    UNSAFE_YAML: check_unsafe_yaml,
    UNSAFE_DESERIALIZATION: check_unsafe_deserialization,
    DYNAMIC_IMPORT: check_dynamic_import,
    LOGGING_LISTEN: check_logging_listen,
    VARIABLE_PROGRAM: check_variable_program,
    PARTIAL_PATH: check_partial_path,
    WILDCARD_INJECTION: check_wildcard_injection,
    XML_UNTRUSTED: check_xml_untrusted,
    XML_ENTITIES: check_xml_entities,
    XMLRPC: check_xmlrpc,
    SQL_INJECTION: check_sql_injection,
    AUTOESCAPE_OFF: check_autoescape,
    TEMPLATE_INJECTION: check_template_injection,
    UNSAFE_MARKUP: check_unsafe_markup,
    TAR_EXTRACTION: check_tar_extraction,
    ZIP_EXTRACTION: check_zip_extraction,
    INSECURE_TEMPFILE: check_insecure_tempfile,
    HARDCODED_TMP: check_hardcoded_tmp,
    PERMISSIVE_MODE: check_permissive_mode,
    TLS_UNVERIFIED: check_tls_unverified,
    WEAK_TLS: check_weak_tls,
    SSH_HOST_KEY: check_ssh_host_key,
    NO_TIMEOUT: check_timeout,
    URL_OPEN: check_url_open,
    CLEARTEXT: check_cleartext,
    BIND_ALL: check_bind_all,
    UNPINNED_DOWNLOAD: check_unpinned_download,
    BIDI_CONTROL: check_bidi,
    INSECURE_SNMP: check_snmp,
    IPMI: check_ipmi,
    HTTPOXY: check_httpoxy,
}

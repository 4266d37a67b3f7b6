"""The 119-133 rules: files and temporary paths, TLS and SSH, network clients and servers,
downloads, source text, SNMP, IPMI, httpoxy."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditls.facts.security import (
    BidiControlFact,
)
from auditls.knowledge.checks import (
    BIND_KEYWORDS,
    CLEARTEXT_CALLS,
    CLEARTEXT_LOGINS,
    HF_DOWNLOAD_FUNCTIONS,
    HF_PRETRAINED_PACKAGES,
    HF_REVISION_KEYWORDS,
    HTTP_TIMEOUT_CALLS,
    HTTP_TIMEOUT_NONE_CALLS,
    HTTPOXY_CALLS,
    SNMP_COMMUNITY,
    SNMP_USER,
    SSH_BAD_POLICIES,
    SSH_SET_POLICY,
    TLS_UNVERIFIED_NAMES,
    TLS_VERIFY_ALIASES,
    TLS_VERIFY_ATTRIBUTES,
    TLS_VERIFY_KEYWORDS,
    WEAK_TLS_NAMES,
    WRAP_SOCKET,
)
from auditls.knowledge.heuristics import BIND_ADDRESS_NAME, SERVER_START_METHOD, capped
from auditls.knowledge.security import URL_OPEN_CALLS, Arg
from auditls.rules.findings import Finding
from auditls.rules.index import (
    FactIndex,
    at_call,
    at_fact,
    has_kwargs,
    json_value,
    keyword_arg,
    locate,
    short,
    value_of,
)
from auditls.rules.model import Rule, rule
from auditls.rules.registry import register
from auditls.rules.security.common import RATED, argument_rule, file_operations, one_per_line

INSECURE_TEMPFILE = "AUD119"

HARDCODED_TMP = "AUD120"

PERMISSIVE_MODE = "AUD121"

TLS_UNVERIFIED = "AUD122"

WEAK_TLS = "AUD123"

SSH_HOST_KEY = "AUD124"

NO_TIMEOUT = "AUD125"

URL_OPEN = "AUD126"

CLEARTEXT = "AUD127"

BIND_ALL = "AUD128"

UNPINNED_DOWNLOAD = "AUD129"

BIDI_CONTROL = "AUD130"

INSECURE_SNMP = "AUD131"

IPMI = "AUD132"

HTTPOXY = "AUD133"

#: AUD128: addresses that listen on every interface.
ALL_INTERFACES = frozenset({"0.0.0.0", "::", "[::]"})  # noqa: S104 (data)

#: AUD128: methods whose first argument (or its first element) is an address to listen on.


def check_insecure_tempfile(index: FactIndex) -> Iterator[Finding]:
    """AUD119, message fields: callee."""
    for fact in file_operations(index, "mktemp"):
        yield at_fact(index, INSECURE_TEMPFILE, fact, "high")


def check_hardcoded_tmp(index: FactIndex) -> Iterator[Finding]:
    """AUD120, message fields: path."""
    for fact in file_operations(index, "temp_path"):
        if fact.callee is not None and fact.callee.startswith("tempfile."):
            continue  # tempfile.mkstemp(dir="/tmp") creates the file safely
        yield at_fact(
            index, HARDCODED_TMP, fact, "medium", stmt_line=None, path=short(fact.path_text or "")
        )


def check_permissive_mode(index: FactIndex) -> Iterator[Finding]:
    """AUD121, message fields: callee, mode, who."""
    for fact in file_operations(index, "chmod"):
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
    yield from argument_rule(index, URL_OPEN, URL_OPEN_CALLS)


def check_cleartext(index: FactIndex) -> Iterator[Finding]:
    """AUD127, message fields: callee, protocol, how, advice."""
    for callee, protocol in CLEARTEXT_CALLS.items():
        for call in index.calls(callee):
            yield at_call(
                index, CLEARTEXT, call, "high", protocol=protocol, how="",
                advice="Use SSH (paramiko) or SFTP / `ftplib.FTP_TLS`.",
            )  # fmt: skip
    for login, (protocol, upgrade) in CLEARTEXT_LOGINS.items():
        for call in index.calls(login):
            upgraded = any(
                u.function == call.function and u.call_id < call.call_id
                for u in index.calls(upgrade)
            )
            if not upgraded:  # the upgrade may happen in a helper: medium
                yield at_call(
                    index, CLEARTEXT, call, "medium", protocol=protocol,
                    how=f" (no `{upgrade.rpartition('.')[2]}()` before it in this function)",
                    advice=f"Call `{upgrade.rpartition('.')[2]}()` first, or connect with the "
                    "SSL class (`SMTP_SSL`, `IMAP4_SSL`, `POP3_SSL`).",
                )  # fmt: skip


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
            if arg.keyword in BIND_KEYWORDS or (
                arg.position == 0 and SERVER_START_METHOD(call.attr)
            ):
                address = _all_interfaces(value_of(arg))
                if address is not None:
                    yield at_call(index, BIND_ALL, call, capped("medium"), address=address)
                    break
    for assignment in index.all_assignments:
        name = assignment.target_name or assignment.target.rpartition(".")[2]
        if BIND_ADDRESS_NAME(name.lower()):
            address = _all_interfaces(json_value(assignment.value))
            if address is not None:
                yield at_fact(index, BIND_ALL, assignment, capped("medium"), address=address)


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
    for imp in one_per_line(index):
        if imp.target == "pyghmi" or imp.target.startswith("pyghmi."):
            yield at_fact(index, IPMI, imp, "medium", module=imp.target)


def check_httpoxy(index: FactIndex) -> Iterator[Finding]:
    """AUD133, message fields: callee."""
    for call in index.calls_of(HTTPOXY_CALLS):
        yield at_call(index, HTTPOXY, call, "high")


RULES: tuple[Rule, ...] = (
    rule(
        INSECURE_TEMPFILE,
        "insecure-temp-file",
        "warning",
        "high",
        377,
        summary="`tempfile.mktemp()` returns a name another process can claim first.",
        details=(
            "Reported for `tempfile.mktemp()` (and Python 2's `os.tempnam` / `os.tmpnam`): "
            "between choosing the name and creating the file, another user can create it, or a "
            "symlink in its place."
        ),
        message="{callee} returns a name, not a file: another process can create it first. "
        "Use `tempfile.NamedTemporaryFile()` or `tempfile.mkstemp()`.",
        fix="`tempfile.NamedTemporaryFile(delete=False)`, `tempfile.mkstemp()` or "
        "`tempfile.TemporaryDirectory()` create the file atomically.",
        bad='import tempfile\n\npath = tempfile.mktemp(suffix=".csv")\n',
        good='import tempfile\n\nfd, path = tempfile.mkstemp(suffix=".csv")\n',
        check=check_insecure_tempfile,
    ),
    rule(
        HARDCODED_TMP,
        "hardcoded-temp-path",
        "info",
        "medium",
        377,
        summary="A path in a shared temporary directory (`/tmp`, `/var/tmp`, `/dev/shm`) is "
        "hard-coded.",
        details=(
            "Reported for string literals (and f-strings starting with one) passed to a call or "
            "assigned, that name a file in `/tmp`, `/var/tmp` or `/dev/shm`: every user of the "
            "machine can create that path first, or a symlink in its place."
        ),
        message="`{path}` is in a directory every user can write: another user can create it "
        "first. Use the `tempfile` module, which creates unique files atomically.",
        fix="`tempfile.mkstemp()`, `tempfile.NamedTemporaryFile()` or "
        "`tempfile.TemporaryDirectory()`; or a directory owned by the application.",
        bad='LOCK_FILE = "/tmp/app.lock"\n',
        good='import tempfile\n\nLOCK_DIR = tempfile.mkdtemp(prefix="app-")\n',
        check=check_hardcoded_tmp,
    ),
    rule(
        PERMISSIVE_MODE,
        "permissive-file-mode",
        "warning",
        "high",
        732,
        summary="`chmod` makes a file writable (or executable) by every user.",
        details=(
            "Reported for `os.chmod`, `os.fchmod`, `os.lchmod` and `Path.chmod` with a mode "
            "(a number or `stat` constants) that lets others write (`o+w`): severity as the "
            "rule's, high confidence; or execute (`o+x`) a file: low confidence."
        ),
        message="{callee} sets mode {mode}, which lets {who} the file. Use `0o600` for data "
        "(`0o700` for a program the owner runs).",
        fix="Grant the least: `0o600` for private files, `0o644` for readable data, `0o755` "
        "only for programs meant for everyone.",
        bad='import os\n\nos.chmod("app.db", 0o777)\n',
        good='import os\n\nos.chmod("app.db", 0o600)\n',
        check=check_permissive_mode,
    ),
    rule(
        TLS_UNVERIFIED,
        "tls-verification-disabled",
        "error",
        "high",
        295,
        summary="TLS certificate verification is switched off.",
        details=(
            "Reported for `verify=False` in requests (functions and sessions) and httpx, "
            '`ssl=False` / `verify_ssl=False` in aiohttp, `cert_reqs="CERT_NONE"` in urllib3, '
            "`ssl._create_unverified_context()`, and `ssl.CERT_NONE` used as a value (passed "
            "or assigned, as in `ctx.verify_mode = ssl.CERT_NONE`), and "
            "`session.verify = False` on a requests or httpx client."
        ),
        message="{what} switches TLS certificate verification off: anyone on the path can read "
        "and change the traffic. Keep verification on; point `verify=` at a CA bundle for "
        "private certificates.",
        fix='Remove `verify=False`; for an internal CA pass `verify="/path/ca.pem"` (requests) '
        "or `ssl.create_default_context(cafile=...)`.",
        bad="import requests\n\nrequests.get(URL, verify=False, timeout=10)\n",
        good='import requests\n\nrequests.get(URL, verify="/etc/ssl/ca.pem", timeout=10)\n',
        check=check_tls_unverified,
        knowledge=(
            TLS_UNVERIFIED_NAMES,
            TLS_VERIFY_ALIASES,
            TLS_VERIFY_ATTRIBUTES,
            TLS_VERIFY_KEYWORDS,
        ),
    ),
    rule(
        WEAK_TLS,
        "weak-tls-version",
        "warning",
        "high",
        326,
        summary="A broken SSL/TLS protocol version is selected, or left to an old default.",
        details=(
            "Reported for `ssl.PROTOCOL_SSLv2`, `SSLv3`, `TLSv1`, `TLSv1_1`, "
            "`ssl.TLSVersion.TLSv1` / `TLSv1_1` / `SSLv3` and pyOpenSSL's `*_METHOD` "
            "equivalents used as values, and for `ssl.wrap_socket()` without `ssl_version` "
            "(medium confidence)."
        ),
        message="{what}: SSLv2, SSLv3, TLS 1.0 and 1.1 have practical attacks. Use "
        "`ssl.create_default_context()` and, if needed, `minimum_version = "
        "ssl.TLSVersion.TLSv1_2`.",
        fix="`ctx = ssl.create_default_context(); ctx.minimum_version = "
        "ssl.TLSVersion.TLSv1_2`; then `ctx.wrap_socket(sock, server_hostname=host)`.",
        bad="import ssl\n\ncontext = ssl.SSLContext(ssl.PROTOCOL_TLSv1)\n",
        good=(
            "import ssl\n\ncontext = ssl.create_default_context()\n"
            "context.minimum_version = ssl.TLSVersion.TLSv1_2\n"
        ),
        check=check_weak_tls,
        knowledge=(
            WEAK_TLS_NAMES,
            WRAP_SOCKET,
        ),
    ),
    rule(
        SSH_HOST_KEY,
        "ssh-host-key-not-verified",
        "error",
        "high",
        295,
        summary="paramiko accepts unknown SSH host keys.",
        details=(
            "Reported for `set_missing_host_key_policy()` with paramiko's `AutoAddPolicy` or "
            "`WarningPolicy` (the class or an instance): the first server to answer is trusted, "
            "so a man in the middle gets the credentials."
        ),
        message="{callee} trusts unknown host keys ({policy}): a man in the middle gets the "
        "session and its credentials. Load known hosts and keep `RejectPolicy`.",
        fix="`client.load_system_host_keys()` (or `load_host_keys(path)`) and "
        "`set_missing_host_key_policy(paramiko.RejectPolicy())`.",
        bad=(
            "import paramiko\n\nclient = paramiko.SSHClient()\n"
            "client.set_missing_host_key_policy(paramiko.AutoAddPolicy())\n"
        ),
        good=(
            "import paramiko\n\nclient = paramiko.SSHClient()\nclient.load_system_host_keys()\n"
            "client.set_missing_host_key_policy(paramiko.RejectPolicy())\n"
        ),
        check=check_ssh_host_key,
        knowledge=(
            SSH_BAD_POLICIES,
            SSH_SET_POLICY,
        ),
    ),
    rule(
        NO_TIMEOUT,
        "http-request-without-timeout",
        "info",
        "high",
        400,
        summary="An HTTP request can wait forever.",
        details=(
            "Reported for requests' functions and session methods without `timeout=` (or with "
            "`timeout=None`), and for httpx calls with an explicit `timeout=None` (httpx has a "
            "default). A `**kwargs` that may carry the timeout lowers the confidence to low."
        ),
        message="{callee} has no timeout: a server that never answers holds this worker "
        "forever. Pass `timeout=` (seconds, or a (connect, read) pair).",
        fix="Always pass `timeout=`, e.g. `requests.get(url, timeout=(3.05, 27))`.",
        bad="import requests\n\nresponse = requests.get(URL)\n",
        good="import requests\n\nresponse = requests.get(URL, timeout=10)\n",
        check=check_timeout,
        knowledge=(
            HTTP_TIMEOUT_CALLS,
            HTTP_TIMEOUT_NONE_CALLS,
        ),
    ),
    rule(
        URL_OPEN,
        "url-open-variable",
        "warning",
        "high",
        918,
        summary="`urllib` opens a URL chosen at run time, any scheme included.",
        details=(
            "Reported for `urllib.request.urlopen`, `urlretrieve` and `Request` when the URL is "
            "not a literal: besides any host (SSRF), `file://` reads local files." + RATED
        ),
        message="{callee} opens `{arg}`: `file://` URLs read local files and any host can be "
        "reached. Check the scheme (`https`) and the host against an allow-list first.",
        fix='Parse the URL with `urllib.parse.urlsplit`, require `scheme == "https"` and an '
        "allowed host, or use an HTTP client that only speaks HTTP(S) (requests, httpx).",
        bad=(
            "from urllib.request import urlopen\n\n\ndef fetch(url):\n"
            "    return urlopen(url).read()\n"
        ),
        good=(
            "from urllib.request import urlopen\n\n\ndef fetch():\n"
            '    return urlopen("https://example.com/feed").read()\n'
        ),
        check=check_url_open,
        knowledge=(URL_OPEN_CALLS,),
    ),
    rule(
        CLEARTEXT,
        "cleartext-protocol",
        "warning",
        "high",
        319,
        summary="A Telnet or FTP client, or an SMTP / IMAP / POP3 login, sends credentials and "
        "data in clear text.",
        details=(
            "Reported for `telnetlib.Telnet` and `ftplib.FTP` (not `FTP_TLS`), and for "
            "`login()` on `smtplib.SMTP` / `LMTP`, `imaplib.IMAP4` (and `pass_()` / `apop()` on "
            "`poplib.POP3`) with no `starttls()` (`stls()`) call before it in the same function "
            "(medium confidence: the upgrade may happen in a helper). The `_SSL` classes are "
            "not reported."
        ),
        message="{callee} speaks {protocol} in clear text{how}: passwords and data can be read "
        "on the way. {advice}",
        fix="Use `paramiko` (SSH, SFTP) or `ftplib.FTP_TLS` with `prot_p()`; `starttls()` "
        "before `login()`, or `smtplib.SMTP_SSL` / `imaplib.IMAP4_SSL`.",
        bad="import ftplib\n\nftp = ftplib.FTP(HOST)\n",
        good="import ftplib\n\nftp = ftplib.FTP_TLS(HOST)\nftp.prot_p()\n",
        check=check_cleartext,
        knowledge=(CLEARTEXT_CALLS, CLEARTEXT_LOGINS),
    ),
    rule(
        BIND_ALL,
        "bind-all-interfaces",
        "info",
        "medium",
        1327,
        summary="A server listens on every network interface.",
        details=(
            'Reported for `"0.0.0.0"` / `"::"` as a `host=`, `bind=`, `address=` ... '
            "keyword, as the address given to `bind()`, `create_server()`, `run()`, `serve()`, "
            "and assigned to a name like `HOST` / `bind` (a `host:port` string too)."
        ),
        message="`{address}` listens on every interface, including public ones. Bind to "
        "`127.0.0.1` unless the service is meant to be reachable, and then put it behind a "
        "firewall.",
        fix="Bind to `127.0.0.1` (or a specific interface) and make the public address a "
        "deliberate, configured choice.",
        bad='from app import app\n\napp.run(host="0.0.0.0", port=8000)\n',
        good='from app import app\n\napp.run(host="127.0.0.1", port=8000)\n',
        check=check_bind_all,
        knowledge=(
            BIND_ADDRESS_NAME,
            BIND_KEYWORDS,
            SERVER_START_METHOD,
        ),
    ),
    rule(
        UNPINNED_DOWNLOAD,
        "unpinned-model-download",
        "warning",
        "medium",
        494,
        summary="A model or data set is downloaded from the Hugging Face Hub without a pinned "
        "revision.",
        details=(
            "Reported for `from_pretrained` of transformers / diffusers / peft / "
            "sentence-transformers classes, `hf_hub_download`, `snapshot_download` and "
            "`datasets.load_dataset` without `revision=` (medium), or with a literal revision "
            'that is not a commit hash such as `"main"` (low). A local path (`./model`) is not '
            "reported; a revision given as an expression is trusted."
        ),
        message="{callee} downloads `{repo}` {how}: the repository's owner (or whoever takes it "
        "over) changes what you load, and weights can carry code. Pin `revision=` to a commit "
        "hash.",
        fix='Pass `revision="<40-hex commit>"` and update it deliberately.',
        bad=(
            'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("org/model")\n'
        ),
        good=(
            'from transformers import AutoModel\n\nREVISION = "4c2e8f3b9a7d6e5f4a3b2c1d0e9f8a7b"\n'
            'model = AutoModel.from_pretrained("org/model", revision=REVISION)\n'
        ),
        check=check_unpinned_download,
        knowledge=(
            HF_DOWNLOAD_FUNCTIONS,
            HF_PRETRAINED_PACKAGES,
            HF_REVISION_KEYWORDS,
        ),
    ),
    rule(
        BIDI_CONTROL,
        "bidirectional-control-character",
        "error",
        "high",
        838,
        summary="The source contains a Unicode bidirectional control character (Trojan Source).",
        details=(
            "Reported for every embedding, override and isolate control (U+202A-U+202E, "
            "U+2066-U+2069) and the LRM / RLM marks anywhere in the file, comments and strings "
            "included: editors display the code in an order that differs from what Python runs "
            "(CVE-2021-42574)."
        ),
        message="{codepoint} {name} reorders how this line is displayed: the code that runs is "
        "not the code you see. Remove it (write `\\u{hex}` in a string if it is really needed).",
        fix='Delete the character; where a string needs it, write it as an escape (`"\\u202e"`).',
        bad='access = "user\u202e \u2066# admin\u2069 \u2066"\n',
        good='access = "user"  # admin\n',
        check=check_bidi,
    ),
    rule(
        INSECURE_SNMP,
        "insecure-snmp",
        "warning",
        "high",
        319,
        summary="SNMP v1 / v2c or SNMPv3 without authentication and privacy is used.",
        details=(
            "Reported for pysnmp's `CommunityData` with `mpModel=0` (v1) or `1` / missing "
            "(v2c): the community string travels in clear text; and for `UsmUserData` without "
            "an authentication and a privacy key (noAuthNoPriv / authNoPriv)."
        ),
        message="{callee} uses {how}: credentials and data travel in clear text. Use SNMPv3 with "
        "`authKey` and `privKey` (authPriv).",
        fix="`UsmUserData(user, authKey, privKey, authProtocol=usmHMACSHAAuthProtocol, "
        "privProtocol=usmAesCfb128Protocol)`.",
        bad='from pysnmp.hlapi import CommunityData\n\nauth = CommunityData("public", mpModel=0)\n',
        good=(
            "from pysnmp.hlapi import UsmUserData\n\n"
            'auth = UsmUserData("admin", AUTH_KEY, PRIV_KEY)\n'
        ),
        check=check_snmp,
        knowledge=(
            SNMP_COMMUNITY,
            SNMP_USER,
        ),
    ),
    rule(
        IPMI,
        "ipmi-pyghmi",
        "warning",
        "medium",
        319,
        summary="IPMI is used through pyghmi.",
        details=(
            "Reported on imports of `pyghmi`: IPMI's authentication is weak (RAKP hashes can be "
            "cracked offline) and many BMCs accept cipher zero."
        ),
        message="`{module}` speaks IPMI, whose authentication can be broken offline. Use the "
        "BMC's Redfish API over HTTPS, on an isolated management network.",
        fix="Prefer Redfish over HTTPS; keep IPMI, if it must stay, on an isolated network with "
        "cipher suite 0 disabled.",
        bad="from pyghmi.ipmi import command\n",
        good="import redfish\n",
        check=check_ipmi,
    ),
    rule(
        HTTPOXY,
        "cgi-httpoxy",
        "warning",
        "high",
        284,
        summary="A CGI handler exposes the application to httpoxy.",
        details=(
            "Reported for `wsgiref.handlers.CGIHandler` and twisted's `CGIScript` / "
            "`CGIDirectory`: under CGI a request's `Proxy:` header becomes the `HTTP_PROXY` "
            "environment variable, and HTTP clients then send outgoing requests through the "
            "attacker's proxy."
        ),
        message="{callee} runs the application under CGI, where a `Proxy:` request header "
        "becomes `HTTP_PROXY` (httpoxy). Serve it with a WSGI server instead.",
        fix="Run the WSGI application with a WSGI server (gunicorn, uWSGI, mod_wsgi); if CGI "
        "stays, drop the `Proxy` header in the web server.",
        bad=(
            "from wsgiref.handlers import CGIHandler\n\nfrom app import app\n\n"
            "CGIHandler().run(app)\n"
        ),
        good='from app import app\n\nif __name__ == "__main__":\n    app.run()\n',
        check=check_httpoxy,
        knowledge=(HTTPOXY_CALLS,),
    ),
)

register(*RULES)

"""Security API knowledge read by the checks (not by the extractors' pre-filter): TLS and SSH
settings, HTTP clients, servers, downloads, SNMP, YAML loaders, template engines, secrets,
crypt, aiohttp and Celery configuration.

Split from ``auditls.knowledge.security`` (which says which callees matter and where their
arguments are); the same conventions hold: every key is a qualified name as
``Context.qualname`` resolves it.
"""

from __future__ import annotations

from auditls.knowledge.security import Arg

# -- read by the checks of AUD119-133 (TLS, SSH, HTTP clients, servers, downloads, SNMP) ----------

#: AUD122: calls whose keyword switches certificate verification off, with the off value.
TLS_VERIFY_KEYWORDS: dict[str, tuple[str, object]] = {
    **{f"requests.{fn}": ("verify", False) for fn in (
        "get", "post", "put", "patch", "delete", "head", "options", "request")},
    **{f"requests.api.{fn}": ("verify", False) for fn in (
        "get", "post", "put", "patch", "delete", "head", "options", "request")},
    **{f"{cls}.{fn}": ("verify", False)
       for cls in ("requests.Session", "requests.sessions.Session", "requests.session")
       for fn in ("get", "post", "put", "patch", "delete", "head", "options", "request", "send")},
    **{f"httpx.{fn}": ("verify", False) for fn in (
        "get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
        "Client", "AsyncClient")},
    **{f"aiohttp.ClientSession.{fn}": ("ssl", False) for fn in (
        "get", "post", "put", "patch", "delete", "head", "options", "request", "ws_connect")},
    "aiohttp.request": ("ssl", False),
    "aiohttp.TCPConnector": ("ssl", False),
    "urllib3.PoolManager": ("cert_reqs", "CERT_NONE"),
    "urllib3.HTTPSConnectionPool": ("cert_reqs", "CERT_NONE"),
    "urllib3.connectionpool.HTTPSConnectionPool": ("cert_reqs", "CERT_NONE"),
}  # fmt: skip

#: AUD122: attributes that switch verification off when assigned the value, on the objects
#: (by resolved qualified name) that carry them: `session.verify = False`.
TLS_VERIFY_ATTRIBUTES: dict[str, object] = {
    "requests.Session.verify": False,
    "requests.session.verify": False,
    "requests.sessions.Session.verify": False,
    "httpx.Client.verify": False,
    "httpx.AsyncClient.verify": False,
}

#: AUD122: aiohttp's older spelling, verify_ssl=False.
TLS_VERIFY_ALIASES: dict[str, str] = {"ssl": "verify_ssl"}

#: AUD122: values and calls that turn certificate checks off wherever they appear.
TLS_UNVERIFIED_NAMES: frozenset[str] = frozenset(
    {"ssl.CERT_NONE", "ssl.VerifyMode.CERT_NONE", "ssl._create_unverified_context",
     "OpenSSL.SSL.VERIFY_NONE"}
)  # fmt: skip

#: AUD123: protocol versions with known breaks (SSLv2, SSLv3, TLS 1.0, TLS 1.1).
WEAK_TLS_NAMES: frozenset[str] = frozenset(
    {f"ssl.PROTOCOL_{v}" for v in ("SSLv2", "SSLv3", "TLSv1", "TLSv1_1")}
    | {f"ssl.TLSVersion.{v}" for v in ("SSLv3", "TLSv1", "TLSv1_1")}
    | {f"OpenSSL.SSL.{v}_METHOD" for v in ("SSLv2", "SSLv3", "TLSv1", "TLSv1_1")}
)

#: AUD123: ssl.wrap_socket picks an old default protocol unless told: its ssl_version argument.
WRAP_SOCKET = "ssl.wrap_socket"

#: AUD124: paramiko policies that accept an unknown host key.
SSH_BAD_POLICIES: frozenset[str] = frozenset(
    f"paramiko.{where}{policy}"
    for where in ("", "client.")
    for policy in ("AutoAddPolicy", "WarningPolicy")
)

SSH_SET_POLICY = ("set_missing_host_key_policy",)

#: AUD125: HTTP functions that wait forever without a timeout (httpx has a default).
HTTP_TIMEOUT_CALLS: frozenset[str] = frozenset(
    {f"requests.{fn}" for fn in ("get", "post", "put", "patch", "delete", "head", "options",
                                  "request")}
    | {f"{cls}.{fn}" for cls in ("requests.Session", "requests.sessions.Session",
                                 "requests.session")
       for fn in ("get", "post", "put", "patch", "delete", "head", "options", "request")}
)  # fmt: skip

#: AUD125: libraries with a default timeout that an explicit timeout=None removes.
HTTP_TIMEOUT_NONE_CALLS: frozenset[str] = frozenset(
    f"httpx.{fn}" for fn in ("get", "post", "put", "patch", "delete", "head", "options",
                             "request", "stream", "Client", "AsyncClient")
)  # fmt: skip

#: AUD127: clients of cleartext protocols.
CLEARTEXT_CALLS: dict[str, str] = {
    "telnetlib.Telnet": "Telnet",
    "ftplib.FTP": "FTP",
    "telnetlib3.open_connection": "Telnet",
}

#: AUD127: logins that send a password in clear text unless the connection was upgraded
#: first: login method -> (protocol, the upgrade method of the same class).
CLEARTEXT_LOGINS: dict[str, tuple[str, str]] = {
    "smtplib.SMTP.login": ("SMTP", "smtplib.SMTP.starttls"),
    "smtplib.LMTP.login": ("LMTP", "smtplib.LMTP.starttls"),
    "imaplib.IMAP4.login": ("IMAP", "imaplib.IMAP4.starttls"),
    "poplib.POP3.pass_": ("POP3", "poplib.POP3.stls"),
    "poplib.POP3.apop": ("POP3", "poplib.POP3.stls"),
}

#: AUD128: keyword names that take an address to listen on.
BIND_KEYWORDS = frozenset({"host", "bind", "address", "listen", "interface", "bind_address"})

#: AUD129: Hugging Face downloads -> where the revision is.
HF_DOWNLOAD_FUNCTIONS: frozenset[str] = frozenset(
    {"huggingface_hub.hf_hub_download", "huggingface_hub.snapshot_download",
     "huggingface_hub.file_download.hf_hub_download", "datasets.load_dataset",
     "huggingface_hub.HfApi.hf_hub_download", "huggingface_hub.HfApi.snapshot_download"}
)  # fmt: skip

#: AUD129: packages whose classes download weights with ``from_pretrained``.
HF_PRETRAINED_PACKAGES: frozenset[str] = frozenset(
    {"transformers", "diffusers", "peft", "sentence_transformers", "optimum", "timm"}
)

HF_REVISION_KEYWORDS = ("revision", "commit_id")

#: AUD131: pysnmp's v1/v2c community objects and v3 users (the last name of the callee).
SNMP_COMMUNITY = "CommunityData"

SNMP_USER = "UsmUserData"

#: AUD133: CGI handlers that pass a request's Proxy header on as HTTP_PROXY.
HTTPOXY_CALLS: frozenset[str] = frozenset(
    {"wsgiref.handlers.CGIHandler", "twisted.web.twcgi.CGIScript", "twisted.web.twcgi.CGIDirectory"}
)


# -- read by the checks of AUD103-104 (YAML loaders, deserializer switches) -----------------------


def _yaml_names(pure: tuple[str, ...], c: tuple[str, ...]) -> frozenset[str]:
    # PyYAML exports every loader at the top level and defines it in yaml.loader / yaml.cyaml.
    return frozenset(
        [f"yaml.{n}" for n in pure + c]
        + [f"yaml.loader.{n}" for n in pure]
        + [f"yaml.cyaml.{n}" for n in c]
    )


#: Loaders that only construct plain data (str, int, list, dict, ...).
YAML_SAFE_LOADERS = _yaml_names(("SafeLoader", "BaseLoader"), ("CSafeLoader", "CBaseLoader"))

#: Loaders that construct Python objects named by tags (FullLoader: a subset, still too many).
YAML_UNSAFE_LOADERS = _yaml_names(
    ("Loader", "UnsafeLoader", "FullLoader"), ("CLoader", "CUnsafeLoader", "CFullLoader")
)

#: AUD104: how a deserializer is made safe by a keyword: (keyword, safe value, safe by default).
DESERIALIZATION_SWITCHES: dict[str, tuple[str, bool, bool]] = {
    "torch.load": ("weights_only", True, False),
    "numpy.load": ("allow_pickle", False, True),
}


# -- read by the check of AUD114 (template engines) ---------------------------------------------

JINJA_ENVIRONMENTS = ("jinja2.Environment", "jinja2.environment.Environment")

#: Jinja2 set-ups that escape by default (only an explicit ``autoescape=False`` turns it off).
JINJA_ESCAPING_SETUPS = ("aiohttp_jinja2.setup",)

SELECT_AUTOESCAPE = ("jinja2.select_autoescape", "jinja2.utils.select_autoescape")

MAKO_TEMPLATES = ("mako.template.Template", "mako.lookup.TemplateLookup")


# -- read by the secrets extractor (AUD206) -----------------------------------------------------

#: Secrets recognised by their form alone, whatever they are assigned to: (kind, pattern).
KNOWN_SECRET_FORMATS: tuple[tuple[str, str], ...] = (
    ("AWS access key ID", r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA)[0-9A-Z]{16}\b"),
    ("GitHub token", r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{60,})\b"),
    ("Slack token", r"\bxox[abposr]-[0-9A-Za-z]{8,}-[0-9A-Za-z-]{8,}"),
    ("Stripe secret key", r"\b(?:sk|rk)_live_[0-9A-Za-z]{20,}\b"),
    ("Google API key", r"\bAIza[0-9A-Za-z_\-]{35}\b"),
    ("OpenAI API key", r"\bsk-(?:proj-)?[A-Za-z0-9_\-]{40,}"),
    ("SendGrid API key", r"\bSG\.[0-9A-Za-z_\-]{22}\.[0-9A-Za-z_\-]{43}\b"),
    ("private key", r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY"),
)

#: Values that stand in for a secret in examples and tests: never reported by name alone.
DUMMY_SECRETS: frozenset[str] = frozenset(
    (
        "password", "passwd", "pass", "pwd", "secret", "token", "test", "testing", "tests",
        "example", "dummy", "fake", "foo", "bar", "baz", "none", "null", "nil", "empty", "default",
        "changeme", "change-me", "change_me", "xxx", "todo", "fixme", "redacted", "hidden",
        "notprovided", "not-set", "unset", "undefined", "your-secret-key", "your_secret_key",
    )
)  # fmt: skip


# -- read by the check of AUD211 (crypt) ---------------------------------------------------------

#: ``crypt`` methods too weak for passwords: traditional DES (8 characters, 12-bit salt), MD5.
CRYPT_WEAK_METHODS: frozenset[str] = frozenset({"crypt.METHOD_CRYPT", "crypt.METHOD_MD5"})

#: ``crypt`` calls and where the salt (or method) is: ``crypt.crypt(word, salt)``,
#: ``crypt.mksalt(method)``.
CRYPT_CALLS: dict[str, Arg] = {
    "crypt.crypt": Arg(1, ("salt",)),
    "crypt.mksalt": Arg(0, ("method",)),
    "legacycrypt.crypt": Arg(1, ("salt",)),
    "legacycrypt.mksalt": Arg(0, ("method",)),
}


# -- read by the checks of AUD406-AUD407 (aiohttp configuration) --------------------------------

#: aiohttp applications: ``debug=True`` turns on asyncio's debug mode and its extra checks.
AIOHTTP_APPLICATIONS: frozenset[str] = frozenset(
    {"aiohttp.web.Application", "aiohttp.web_app.Application"}
)

#: Set-ups that serve a debugging toolbar to every client.
AIOHTTP_DEBUG_TOOLBARS: frozenset[str] = frozenset({"aiohttp_debugtoolbar.setup"})

#: aiohttp-session storages: each takes ``httponly=`` (default True) for its cookie.
AIOHTTP_SESSION_STORAGES: frozenset[str] = frozenset(
    {f"aiohttp_session.{m}{cls}" for m, cls in (
        ("", "SimpleCookieStorage"), ("", "EncryptedCookieStorage"),
        ("cookie_storage.", "EncryptedCookieStorage"), ("nacl_storage.", "NaClCookieStorage"),
        ("redis_storage.", "RedisStorage"), ("memcached_storage.", "MemcachedStorage"))}
)  # fmt: skip


# -- read by the check of AUD418 (Celery's serializers) -----------------------------------------

#: Celery settings that choose how task messages and results are encoded or accepted, by the
#: names Celery reads: the lowercase keys (``app.conf.task_serializer``, a ``celeryconfig``
#: module) and the old uppercase ones (``CELERY_TASK_SERIALIZER``, also Django's namespace).
CELERY_SERIALIZER_KEYS: frozenset[str] = frozenset(
    {"task_serializer", "result_serializer", "event_serializer", "accept_content",
     "result_accept_content"}
)  # fmt: skip
CELERY_SERIALIZER_NAMES: frozenset[str] = frozenset(
    {"CELERY_TASK_SERIALIZER", "CELERY_RESULT_SERIALIZER", "CELERY_EVENT_SERIALIZER",
     "CELERY_ACCEPT_CONTENT", "CELERY_RESULT_ACCEPT_CONTENT"}
)  # fmt: skip
#: Celery applications, and calls that take those settings as keywords.
CELERY_CONFIG_CALLS: frozenset[str] = frozenset(
    {"celery.Celery", "celery.app.Celery", "celery.app.base.Celery", "celery.Celery.conf.update",
     "celery.app.Celery.conf.update", "celery.app.base.Celery.conf.update"}
)  # fmt: skip
#: Serializers that run code while they decode (kombu's names and content types).
CELERY_UNSAFE_SERIALIZERS: frozenset[str] = frozenset({"pickle", "application/x-python-serialize"})

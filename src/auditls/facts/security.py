"""Fact dataclasses of the security extractors (INVENTORY.md, Phase 3 Block 3).

Same conventions as ``auditls.facts``: frozen, slotted, keyword-only, one table each, every field
commented on its line (``docs/schema.md`` is generated from these comments).

Several facts describe "where a value comes from" with a *source* (see ``SOURCES``): the
extractors work it out with the syntax tree and the semantic model at hand, so that a rule can
rate a finding without the tree. A row that describes a call carries the ``call_id`` of its
``python_calls`` row, so a rule can read the call's other arguments from the core facts.
"""

from __future__ import annotations

from typing import ClassVar

from auditls.facts import Fact, fact

#: Where a value comes from, from safest to most suspicious (``security.values.classify``).
SOURCES = (
    "literal",  # a literal, or built only from literals and values that cannot carry text
    "constant",  # a name (or a string built from names) assigned only literals in its scope
    "unknown",  # anything the model cannot trace: another call's result, an attribute, ...
    "formatted",  # a string built at run time with parts of unknown origin
    "param",  # a parameter of the enclosing function, or derived from one (args.cmd)
    "request",  # request data or user input: flask.request..., input(), sys.argv
)


@fact
class DangerousCallFact(Fact):
    """A call that runs, loads or renders a value: code, a command, a pickle, XML, markup."""

    TABLE: ClassVar[str] = "python_dangerous_calls"

    call_id: int  # the python_calls row of this call (same file)
    function: str  # enclosing function's qualified name (module name at top level)
    category: str  # code | command | deserialization | xml | template | network
    callee: str  # resolved qualified name of the callee ("subprocess.run")
    role: str  # the watched argument: code | module | command | program | data | source | url
    arg_text: str | None  # the watched argument as written, cut to 200 characters; None if absent
    arg_kind: str | None  # value kind of the watched argument (facts.VALUE_KINDS); None if absent
    source: str | None  # where the watched argument comes from (SOURCES); None if absent
    hidden: bool  # the watched argument may be hidden in *args / **kwargs
    program: str | None  # command: the literal program (first list element or first word)


@fact
class FileOperationFact(Fact):
    """A risky file operation: archive extraction, mktemp, chmod, a hard-coded temp path."""

    TABLE: ClassVar[str] = "python_file_operations"

    call_id: int | None  # the python_calls row, None for a path outside a call (an assignment)
    function: str  # enclosing function's qualified name
    operation: str  # tar_extract | zip_extract | mktemp | chmod | temp_path
    callee: str | None  # resolved qualified name of the callee, None for temp_path outside a call
    path_text: str | None  # the destination / path argument as written, if any
    path_source: str | None  # where the path comes from (SOURCES), None if absent
    mode: int | None  # chmod: the mode when it is a literal or an expression of stat constants
    extract_filter: str | None  # tarfile filter: its literal, "<dynamic>", or None if absent
    members: bool  # tarfile: a members= selection is passed
    temp_dir: str | None  # temp_path: the hard-coded directory ("/tmp", "/var/tmp", "/dev/shm")


@fact
class SqlQueryFact(Fact):
    """A SQL query string reaching a sink: execute, text(), raw(), extra(), read_sql, ..."""

    TABLE: ClassVar[str] = "python_sql_queries"

    call_id: int  # the python_calls row of the sink call
    function: str  # enclosing function's qualified name
    sink: str  # execute | executemany | executescript | text | raw | extra | rawsql | ...
    callee: str | None  # resolved qualified name of the sink; None: a method of an unknown object
    query_text: str  # the query argument as written, cut to 200 characters
    interpolation: str  # none | fstring | percent | format | concat | unknown
    via: str | None  # the local name the query was assigned to before the call, if any
    parts: tuple[str, ...]  # source text of each interpolated part, at most 10
    parts_source: str  # worst source among the interpolated parts (SOURCES); literal when none
    looks_like_sql: bool  # the literal parts read as SQL (SELECT ... FROM, INSERT INTO, ...)
    has_params: bool  # bound parameters are passed with the query


@fact
class JwtOperationFact(Fact):
    """A JWT encode or decode call (PyJWT, python-jose, authlib)."""

    TABLE: ClassVar[str] = "python_jwt_operations"

    call_id: int  # the python_calls row of the call
    function: str  # enclosing function's qualified name
    library: str  # pyjwt | python-jose | authlib
    operation: str  # encode | decode
    callee: str  # resolved qualified name of the callee
    algorithms: tuple[str, ...]  # literal names: decode's algorithms, encode's algorithm
    algorithms_state: str  # literal | dynamic | missing (encode: missing means the default)
    verify_signature: bool | None  # False: verification off; True: explicitly on; None: unsaid
    options_text: str | None  # the options= / verify= argument as written, if any
    key_source: str | None  # where the key comes from (SOURCES); None when no key is passed
    key_is_public: bool  # the key is a literal public key (PEM "PUBLIC KEY", ssh-rsa): not a secret


@fact
class PasswordHashingFact(Fact):
    """A password hash or key derivation: its algorithm, work factor and salt."""

    TABLE: ClassVar[str] = "python_password_hashing"

    call_id: int  # the python_calls row of the call
    function: str  # enclosing function's qualified name
    library: str  # hashlib | bcrypt | passlib | argon2 | werkzeug | django | cryptography | ...
    callee: str  # resolved qualified name of the callee
    kind: str  # kdf (password hash or KDF) | fast_hash (digest of a password) | config
    algorithm: str | None  # normalised: pbkdf2_sha256, bcrypt, scrypt, argon2, md5, md5_crypt, ...
    work_factor: int | None  # iterations / rounds / n / memory_cost (default if omitted)
    work_factor_name: str | None  # iterations | rounds | n | memory_cost
    work_factor_default: bool  # the call leaves the work factor at the library's default
    salt_source: str | None  # where the salt comes from (SOURCES); None when no salt is passed
    password_text: str | None  # the hashed value as written, cut to 200 characters


@fact
class CryptoOperationFact(Fact):
    """A cryptographic primitive: hash, cipher, cipher mode, key generation or random numbers."""

    TABLE: ClassVar[str] = "python_crypto_operations"

    call_id: int  # the python_calls row of the call
    function: str  # enclosing function's qualified name
    operation: str  # hash | cipher | mode | keygen | random
    library: str  # hashlib | pycryptodome | cryptography | pydes | paramiko | random
    callee: str  # resolved qualified name of the callee
    algorithm: str | None  # normalised, upper-case: MD5, SHA1, DES, 3DES, RC4, AES, RSA, EC
    mode: str | None  # cipher mode when known: ECB, CBC, GCM, ...
    key_size: int | None  # key size in bits when it is a literal (RSA/DSA) or known from the curve
    curve: str | None  # elliptic curve name, upper-case (SECP192R1, P-256)
    used_for_security: bool  # False when the call says usedforsecurity=False
    purpose: str | None  # random: the name the value goes to (assignment target, keyword, function)
    data_text: str | None  # hash: the hashed data as written, cut to 200 characters


@fact
class SecretLiteralFact(Fact):
    """A non-empty string literal given to a name that says it is a secret (password, token, ...).

    The value itself is not stored: the store is a cache on disk.
    """

    TABLE: ClassVar[str] = "python_secret_literals"

    function: str  # enclosing function's qualified name
    name: str  # the secret-looking name: variable, attribute, key, keyword or parameter
    context: str  # assignment | attribute | subscript | keyword | default | dict | compare | format
    length: int  # length of the literal in characters
    call_id: int | None  # for a keyword argument: the python_calls row of the call


@fact
class BidiControlFact(Fact):
    """A bidirectional control character in the source text (Trojan Source, CVE-2021-42574)."""

    TABLE: ClassVar[str] = "python_bidi_controls"

    codepoint: str  # "U+202E"
    char_name: str  # Unicode name: RIGHT-TO-LEFT OVERRIDE


@fact
class AuthPatternFact(Fact):
    """An authentication or authorisation requirement on a view function or class."""

    TABLE: ClassVar[str] = "python_auth_patterns"

    target: str  # qualified name of the function or class it protects
    target_kind: str  # function | class
    mechanism: str  # decorator | method_decorator | mixin | class_attribute
    pattern: str  # the resolved decorator, mixin or class attribute name
    kind: str  # login | fresh_login | permission | test | staff | jwt | http_auth | roles | ...
    framework: str  # django | drf | flask_login | flask_jwt_extended | flask_httpauth | ...
    permissions: tuple[str, ...]  # permission names, roles or permission classes, in order


@fact
class AccessAssertFact(Fact):
    """An ``assert`` whose test reads an access-control name (``is_superuser``, ``has_perm``):
    Python drops it under ``-O``, and the check with it."""

    TABLE: ClassVar[str] = "python_access_asserts"

    function: str  # enclosing function's qualified name (module name at top level)
    subject: str  # the access-control name the test reads (``is_superuser``)
    text: str  # source text of the assert's test, cut to 200 characters


@fact
class CsrfFact(Fact):
    """A CSRF protection fact: a view or blueprint exempted, protection enabled or disabled."""

    TABLE: ClassVar[str] = "python_csrf_protections"

    function: str  # enclosing function's qualified name
    action: str  # exempt | protect | disable | enable
    mechanism: str  # decorator | method_decorator | call | setting | form_meta
    framework: str  # django | flask_wtf
    target: str | None  # the exempted / protected view, class, blueprint or app
    setting: str | None  # the configuration key (WTF_CSRF_ENABLED) or form Meta attribute (csrf)


#: This domain's fact classes, in table order.
FACT_TYPES: tuple[type[Fact], ...] = (
    DangerousCallFact,
    FileOperationFact,
    SecretLiteralFact,
    BidiControlFact,
    CryptoOperationFact,
    PasswordHashingFact,
    JwtOperationFact,
    SqlQueryFact,
    AuthPatternFact,
    AccessAssertFact,
    CsrfFact,
)

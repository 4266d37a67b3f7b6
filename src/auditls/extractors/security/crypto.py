"""Crypto extractors: crypto operations, password hashing and JWT operations.

- ``extract_crypto_operations`` (``python_crypto_operations``): hashes, ciphers, cipher modes,
  key-pair generation and ``random`` calls, normalised across hashlib, pycryptodome (``Crypto``
  and ``Cryptodome``), ``cryptography``, pyDes and paramiko. A ``random`` call records the name
  its value goes to (assignment target, keyword, or the function it is returned from), so a rule
  can tell a token from a dice roll.
- ``extract_password_hashing`` (``python_password_hashing``): KDFs and password hashers with
  their algorithm, work factor (or the library default when omitted) and salt source, passlib
  schemes and CryptContexts, and plain digests of values whose names say "password".
- ``extract_jwt_operations`` (``python_jwt_operations``): encode / decode with the algorithms,
  whether signature verification is switched off, and where the key comes from.
"""

from __future__ import annotations

import ast
import re

from auditls.extractors.security import values
from auditls.extractors.semantic import Context
from auditls.extractors.walker import register
from auditls.facts.security import CryptoOperationFact, JwtOperationFact, PasswordHashingFact
from auditls.knowledge.security import (
    CIPHER_CALLS,
    CIPHER_MODES,
    CRYPT_CONTEXTS,
    CURVE_BITS,
    ECB_BY_DEFAULT,
    FAST_HASHES,
    HASH_CALLS,
    HASHLIB_NEW,
    JWT_CALLS,
    KDF_CALLS,
    KEYGEN_CALLS,
    PASSLIB_CALLS,
    PASSLIB_METHODS,
    PASSLIB_PREFIX,
    PYCRYPTO_MODE_NUMBERS,
    RANDOM_FUNCTIONS,
    Arg,
)

_NOT = NotImplemented


def _int(value: object) -> int | None:
    return value if type(value) is int else None


def _last(qualname: str | None) -> str | None:
    return qualname.rpartition(".")[2] if qualname else None


# -- crypto operations --------------------------------------------------------------------------


@register
class CryptoOperationsExtractor(values.CallCounter):
    """extract_crypto_operations: hashes, ciphers, modes, key generation, random numbers."""

    name = "security.crypto"
    fact_types = (CryptoOperationFact,)
    qualnames = (HASH_CALLS, (HASHLIB_NEW,), CIPHER_CALLS, CIPHER_MODES, KEYGEN_CALLS,
                 RANDOM_FUNCTIONS)  # fmt: skip

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.keyword_of: dict[int, str] = {}

    def _emit(self, node: ast.Call, call_id: int, operation: str, library: str, callee: str,
              **kw: object) -> None:  # fmt: skip
        fields: dict[str, object] = {
            "algorithm": None, "mode": None, "key_size": None, "curve": None,
            "used_for_security": True, "purpose": None, "data_text": None,
        }  # fmt: skip
        fields.update(kw)
        fields.update(self.ctx.pos(node))
        fields.update(call_id=call_id, function=self.ctx.function, callee=callee)
        self.emit(CryptoOperationFact(operation=operation, library=library, **fields))  # type: ignore[arg-type]

    def call(self, node: ast.Call, call_id: int) -> None:
        ctx = self.ctx
        for kw in node.keywords:  # a random value passed as a keyword goes to that name
            if kw.arg is not None and isinstance(kw.value, ast.Call):
                self.keyword_of[id(kw.value)] = kw.arg
        callee = ctx.qualname(node.func)
        if callee is None:
            return
        library = _library(callee)
        if callee in HASH_CALLS or callee == HASHLIB_NEW:
            if callee == HASHLIB_NEW:
                name = values.literal_value(ctx, values.locate(node, Arg(0, ("name",)))[0])
                algorithm = name.upper().replace("-", "") if isinstance(name, str) else None
                data, _ = values.locate(node, Arg(1, ("data", "string")))
            else:
                algorithm = HASH_CALLS[callee]
                data, _ = values.locate(node, Arg(0, ("data", "string")))
            flag = values.keyword(node, "usedforsecurity")
            self._emit(
                node, call_id, "hash", library, callee, algorithm=algorithm,
                used_for_security=not (isinstance(flag, ast.Constant) and flag.value is False),
                data_text=ctx.text_of(data) if data is not None else None,
            )  # fmt: skip
        elif callee in CIPHER_CALLS:
            algorithm, mode_spec = CIPHER_CALLS[callee]
            mode_arg, hidden = values.locate(node, mode_spec)
            mode = self._mode(mode_arg, library)
            if mode_arg is None and not hidden and callee in ECB_BY_DEFAULT:
                mode = "ECB"  # PyCrypto's and pyDes's default
            self._emit(
                node,
                call_id,
                "cipher",
                library,
                callee,
                algorithm=algorithm,
                mode=mode,
            )
        elif callee in CIPHER_MODES:
            self._emit(node, call_id, "mode", library, callee, mode=CIPHER_MODES[callee])
        elif callee in KEYGEN_CALLS:
            spec = KEYGEN_CALLS[callee]
            size_arg, _ = values.locate(node, spec.size)
            size = _int(values.literal_value(ctx, size_arg)) if size_arg is not None else None
            if size_arg is None and spec.size is not None:
                size = spec.default_size
            curve = self._curve(values.locate(node, spec.curve)[0])
            if curve is not None:
                size = CURVE_BITS.get(curve)
            self._emit(
                node,
                call_id,
                "keygen",
                library,
                callee,
                algorithm=spec.algorithm,
                key_size=size,
                curve=curve,
            )
        elif callee in RANDOM_FUNCTIONS:
            self._emit(
                node,
                call_id,
                "random",
                "random",
                callee,
                algorithm="MT19937",
                purpose=self._purpose(node),
            )

    def _mode(self, node: ast.expr | None, library: str) -> str | None:
        if node is None:
            return None
        name = self.ctx.qualname(node)
        if name in CIPHER_MODES:
            return CIPHER_MODES[name]
        value = _int(values.literal_value(self.ctx, node))
        if value is not None and library == "pycryptodome":
            return PYCRYPTO_MODE_NUMBERS.get(value)
        return None

    def _curve(self, node: ast.expr | None) -> str | None:
        if node is None:
            return None
        if isinstance(node, ast.Call):
            return (_last(self.ctx.qualname(node.func)) or "").upper() or None
        if isinstance(node, ast.Attribute | ast.Name):
            name = self.ctx.qualname(node)
            if name is not None:
                return (_last(name) or "").upper() or None
        value = values.literal_value(self.ctx, node)
        return value.upper() if isinstance(value, str) else None

    def _purpose(self, node: ast.Call) -> str | None:
        """The name a random value goes to: a keyword, the assignment target, the function."""
        named = self.keyword_of.get(id(node))
        if named is not None:
            return named
        ctx = self.ctx
        stmt = ctx.stmts[-1] if ctx.stmts else None
        targets: list[ast.expr] = []
        if isinstance(stmt, ast.Assign):
            targets = stmt.targets
        elif isinstance(stmt, ast.AnnAssign | ast.AugAssign):
            targets = [stmt.target]
        for target in targets:
            if isinstance(target, ast.Name):
                return target.id
            if isinstance(target, ast.Attribute):
                return target.attr
            if isinstance(target, ast.Subscript) and isinstance(target.slice, ast.Constant):
                return str(target.slice.value)
        if isinstance(stmt, ast.Return) and ctx.function != ctx.module:
            return ctx.function.rpartition(".")[2]
        return None


def _library(callee: str) -> str:
    root = callee.partition(".")[0]
    return {
        "Crypto": "pycryptodome",
        "Cryptodome": "pycryptodome",
        "pyDes": "pydes",
        "flask_bcrypt": "flask_bcrypt",
    }.get(root, root)


# -- password hashing ---------------------------------------------------------------------------

_PASSWORD_HINT = re.compile(r"passw|passphrase|(?:^|_)(?:pwd|pw|pass)(?:_|$)", re.IGNORECASE)
_WERKZEUG_METHOD = re.compile(r"^(pbkdf2|scrypt)(?::(\w+))?(?::(\d+))?")


def _hash_name(ctx: Context, node: ast.expr | None) -> str | None:
    """A hash named by a string ("sha256"), a module (hashlib.sha256, Crypto.Hash.SHA256) or an
    object (hashes.SHA256()): its lower-case name."""
    if node is None:
        return None
    if isinstance(node, ast.Call):
        return (_last(ctx.qualname(node.func)) or "").lower() or None
    value = values.literal_value(ctx, node)
    if isinstance(value, str):
        return value.lower().replace("-", "")
    name = ctx.qualname(node)
    return (_last(name) or "").lower() or None if name is not None else None


def is_password_name(name: str) -> bool:
    return bool(_PASSWORD_HINT.search(name))


@register
class PasswordHashingExtractor(values.CallCounter):
    """extract_password_hashing: password hashes and KDFs with algorithm, work factor, salt."""

    name = "security.password_hashing"
    fact_types = (PasswordHashingFact,)
    qualnames = (KDF_CALLS, PASSLIB_CALLS, CRYPT_CONTEXTS, FAST_HASHES, (HASHLIB_NEW,))

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.skip: set[int] = set()

    def _emit(self, node: ast.Call, call_id: int, library: str, callee: str, kind: str,
              **kw: object) -> None:  # fmt: skip
        fields: dict[str, object] = {
            "algorithm": None, "work_factor": None, "work_factor_name": None,
            "work_factor_default": False, "salt_source": None, "password_text": None,
        }  # fmt: skip
        fields.update(kw)
        fields.update(self.ctx.pos(node))
        fields.update(call_id=call_id, function=self.ctx.function, callee=callee)
        self.emit(PasswordHashingFact(library=library, kind=kind, **fields))  # type: ignore[arg-type]

    def call(self, node: ast.Call, call_id: int) -> None:
        ctx = self.ctx
        if id(node) in self.skip:
            return
        callee = ctx.qualname(node.func)
        if callee is None:
            return
        if callee in KDF_CALLS:
            self._kdf(node, call_id, callee)
        elif callee.startswith(PASSLIB_PREFIX):
            self._passlib(node, call_id, callee)
        elif callee in CRYPT_CONTEXTS:
            self._context(node, call_id, callee)
        elif callee in FAST_HASHES or callee == HASHLIB_NEW or callee.startswith("hashlib."):
            self._fast_hash(node, call_id, callee)

    def _kdf(self, node: ast.Call, call_id: int, callee: str) -> None:
        ctx = self.ctx
        spec = KDF_CALLS[callee]
        algorithm = spec.algorithm
        work: int | None = None
        default = False
        if spec.algorithm_arg is not None:
            arg, _ = values.locate(node, spec.algorithm_arg)
            name = _hash_name(ctx, arg)
            if spec.library == "werkzeug":
                algorithm, work, default = _werkzeug(name)
            elif spec.library == "django":
                algorithm = name if name is not None else "default"
            elif name is not None:
                algorithm = f"pbkdf2_{name}"
            elif arg is None and spec.library == "pycryptodome":
                algorithm = "pbkdf2_sha1"  # PBKDF2's default prf is HMAC-SHA1
        if spec.work is not None:
            arg, _ = values.locate(node, spec.work)
            if arg is None:
                work, default = spec.work_default, spec.work_default is not None
            else:
                work = _int(values.literal_value(ctx, arg))
        salt, _ = values.locate(node, spec.salt)
        password, _ = values.locate(node, spec.password)
        self._emit(
            node, call_id, spec.library, callee, "kdf", algorithm=algorithm, work_factor=work,
            work_factor_name=spec.work_name if spec.work is not None else (
                "iterations" if work is not None else None),
            work_factor_default=default,
            salt_source=values.classify(ctx, salt) if salt is not None else None,
            password_text=ctx.text_of(password) if password is not None else None,
        )  # fmt: skip

    def _passlib(self, node: ast.Call, call_id: int, callee: str) -> None:
        parts = callee[len(PASSLIB_PREFIX) :].split(".")
        if len(parts) < 2 or parts[-1] not in PASSLIB_METHODS:
            return
        scheme = parts[0]
        rounds_node = values.keyword(node, "rounds")
        receiver = node.func.value if isinstance(node.func, ast.Attribute) else None
        if isinstance(receiver, ast.Call) and parts[-1] != "using":
            # scheme.using(rounds=...).hash(pw): one fact, with the inner call's rounds
            self.skip.add(id(receiver))
            rounds_node = rounds_node or values.keyword(receiver, "rounds")
        password = node.args[0] if node.args and parts[-1] in ("hash", "encrypt") else None
        self._emit(
            node, call_id, "passlib", callee, "kdf", algorithm=scheme,
            work_factor=_int(values.literal_value(self.ctx, rounds_node)),
            work_factor_name="rounds" if rounds_node is not None else None,
            password_text=self.ctx.text_of(password) if password is not None else None,
        )  # fmt: skip

    def _context(self, node: ast.Call, call_id: int, callee: str) -> None:
        ctx = self.ctx
        schemes = values.literal_value(ctx, values.keyword(node, "schemes"))
        default = values.literal_value(ctx, values.keyword(node, "default"))
        scheme: str | None = None
        if isinstance(default, str):
            scheme = default
        elif isinstance(schemes, list | tuple) and schemes and isinstance(schemes[0], str):
            scheme = schemes[0]
        work: int | None = None
        if scheme is not None:
            for suffix in ("__rounds", "__default_rounds"):
                work = work or _int(
                    values.literal_value(ctx, values.keyword(node, scheme + suffix))
                )
        self._emit(
            node, call_id, "passlib", callee, "config", algorithm=scheme, work_factor=work,
            work_factor_name="rounds" if work is not None else None,
        )  # fmt: skip

    def _fast_hash(self, node: ast.Call, call_id: int, callee: str) -> None:
        ctx = self.ctx
        if callee in FAST_HASHES:
            algorithm: str | None = FAST_HASHES[callee]
            data, _ = values.locate(node, Arg(0, ("data", "string")))
        elif callee == HASHLIB_NEW:
            algorithm = _hash_name(ctx, values.locate(node, Arg(0, ("name",)))[0])
            data, _ = values.locate(node, Arg(1, ("data", "string")))
        elif callee.endswith(".update"):  # h = hashlib.sha256(); h.update(password)
            base = callee[: -len(".update")]
            algorithm = FAST_HASHES.get(base)
            if algorithm is None and base != HASHLIB_NEW:
                return
            data, _ = values.locate(node, Arg(0, ("data",)))
        else:
            return
        if data is None or not any(is_password_name(n) for n in values.identifiers(data)):
            return
        self._emit(
            node,
            call_id,
            "hashlib",
            callee,
            "fast_hash",
            algorithm=algorithm,
            password_text=ctx.text_of(data),
        )


def _werkzeug(method: str | None) -> tuple[str | None, int | None, bool]:
    """werkzeug's method string: "pbkdf2:sha256:600000" -> ("pbkdf2_sha256", 600000, False)."""
    if method is None:
        return "scrypt", None, True  # werkzeug's default method
    m = _WERKZEUG_METHOD.match(method)
    if m is None:
        return method.replace(":", "_"), None, False  # "md5", "sha1", "plain": old plain hashes
    kind, hash_name, rounds = m.groups()
    if kind == "scrypt":
        return "scrypt", None, rounds is None
    algorithm = f"pbkdf2_{hash_name or 'sha256'}"
    return algorithm, int(rounds) if rounds else None, rounds is None


# -- JWT ----------------------------------------------------------------------------------------


@register
class JwtOperationsExtractor(values.CallCounter):
    """extract_jwt_operations: encode / decode, algorithms, verification switches, key source."""

    name = "security.jwt"
    fact_types = (JwtOperationFact,)
    qualnames = (JWT_CALLS,)

    def call(self, node: ast.Call, call_id: int) -> None:
        ctx = self.ctx
        callee = ctx.qualname(node.func)
        spec = JWT_CALLS.get(callee) if callee is not None else None
        if spec is None:
            return
        assert callee is not None
        algorithms_node, _ = values.locate(node, spec.algorithms)
        verify: bool | None = None
        options_node: ast.expr | None = None
        if spec.library == "pyjwt" and spec.operation == "decode" and len(node.args) > 2:
            third = node.args[2]  # PyJWT 1: decode(jwt, key, verify, algorithms); 2: algorithms
            if isinstance(third, ast.Constant) and isinstance(third.value, bool):
                verify, options_node = third.value, third
            elif algorithms_node is None:
                algorithms_node = third
        verify_kw = values.keyword(node, "verify")
        if verify_kw is not None:
            options_node = verify_kw
            value = values.literal_value(ctx, verify_kw)
            verify = value if isinstance(value, bool) else None
        if spec.options is not None:
            opts, _ = values.locate(node, spec.options)
            if opts is not None:
                options_node = opts
                value = values.literal_value(ctx, opts)
                if isinstance(value, dict) and isinstance(value.get("verify_signature"), bool):
                    verify = value["verify_signature"]
        algorithms: tuple[str, ...] = ()
        if algorithms_node is None:
            state = "missing"
        else:
            value = values.literal_value(ctx, algorithms_node)
            if isinstance(value, str):
                algorithms, state = (value,), "literal"
            elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
                algorithms, state = tuple(value), "literal"
            elif value is None:
                state = "missing"
            else:
                state = "dynamic"
        key, _ = values.locate(node, spec.key)
        key_value = values.literal_value(ctx, key) if key is not None else _NOT
        self.emit(
            JwtOperationFact(
                **ctx.pos(node),
                call_id=call_id,
                function=ctx.function,
                library=spec.library,
                operation=spec.operation,
                callee=callee,
                algorithms=algorithms,
                algorithms_state=state,
                verify_signature=verify,
                options_text=ctx.text_of(options_node) if options_node is not None else None,
                key_source=values.classify(ctx, key) if key is not None else None,
                key_is_public=isinstance(key_value, str | bytes)
                and (b"PUBLIC KEY" in _bytes(key_value) or _bytes(key_value).startswith(b"ssh-")),
            )
        )


def _bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8", "replace")

"""The 2xx rules (AUD201-211): cryptography and secrets, and the tables their checks use."""

from __future__ import annotations

import re
from collections.abc import Iterator

from auditls.facts.security import CryptoOperationFact, PasswordHashingFact, SecretLiteralFact
from auditls.knowledge.checks import CRYPT_CALLS, CRYPT_WEAK_METHODS
from auditls.knowledge.heuristics import SLOW_HASH_METHOD
from auditls.knowledge.security import KDF_CALLS
from auditls.rules.findings import Finding
from auditls.rules.index import FactIndex, at_call, at_fact, locate, short, value_of
from auditls.rules.model import Rule, rule
from auditls.rules.registry import register

WEAK_HASH = "AUD201"

WEAK_CIPHER = "AUD202"

ECB_MODE = "AUD203"

WEAK_KEY = "AUD204"

INSECURE_RANDOM = "AUD205"

HARDCODED_SECRET = "AUD206"  # noqa: S105 (a rule code; ruff matches the name)

FAST_PASSWORD_HASH = "AUD207"  # noqa: S105 (a rule code)

LOW_WORK_FACTOR = "AUD208"

HARDCODED_SALT = "AUD209"

PYCRYPTO = "AUD210"

WEAK_CRYPT = "AUD211"

#: AUD201: hash algorithms with practical collision attacks.
WEAK_HASHES = frozenset({"MD2", "MD4", "MD5", "SHA", "SHA1"})

#: AUD201: names that say a hash protects something (then confidence is high).
SECURITY_HINT = (
    "password", "passwd", "secret", "token", "sign", "signature", "auth", "key", "nonce", "otp",
    "session", "csrf", "mac", "verify", "cert",
)  # fmt: skip

#: AUD202: broken or legacy block / stream ciphers.
WEAK_CIPHERS = frozenset({"DES", "3DES", "RC2", "RC4", "BLOWFISH", "IDEA", "CAST5", "XOR"})

#: AUD204: minimum key sizes in bits.
MIN_KEY_BITS = {"RSA": 2048, "DSA": 2048, "EC": 224}

#: AUD205: names that say a random value must be unpredictable.
RANDOM_SECRET_HINT = (
    "token", "passw", "pwd", "secret", "key", "nonce", "salt", "session", "sid", "otp", "csrf",
    "auth", "credential", "reset", "verif", "captcha", "pin", "code", "api",
)  # fmt: skip

#: AUD207: password hash algorithms (normalised names) that are plain or broken digests.
WEAK_PASSWORD_ALGORITHMS = frozenset(
    {"md5", "sha1", "sha", "plain", "unsalted_md5", "unsalted_sha1", "crypt", "md5_crypt",
     "sha1_crypt", "des_crypt", "bsdi_crypt", "bigcrypt", "crypt16", "ldap_md5", "ldap_sha1",
     "ldap_salted_md5", "ldap_salted_sha1", "ldap_plaintext", "hex_md5", "hex_sha1",
     "hex_sha256", "hex_sha512", "plaintext", "mysql323", "mysql41", "postgres_md5",
     "oracle10", "lmhash", "nthash", "msdcc", "msdcc2", "apr_md5_crypt", "sun_md5_crypt",
     "django_salted_md5", "django_salted_sha1", "django_des_crypt", "unix_fallback",
     "pbkdf2_md5"}
)  # fmt: skip

#: AUD208: minimum work factors (OWASP Password Storage Cheat Sheet), by normalised algorithm.
MIN_WORK: dict[str, int] = {
    "pbkdf2_sha1": 1_300_000,
    "pbkdf2_sha256": 600_000,
    "pbkdf2_sha224": 600_000,
    "pbkdf2_sha384": 210_000,
    "pbkdf2_sha512": 210_000,
    "django_pbkdf2_sha256": 600_000,
    "django_pbkdf2_sha1": 1_300_000,
    "bcrypt": 12,
    "bcrypt_sha256": 12,
    "django_bcrypt": 12,
    "scrypt": 2**17,
    "argon2": 19_456,
}

#: AUD208: the minimum for a PBKDF2 whose hash is unknown.
MIN_PBKDF2 = 600_000

#: AUD210: the unmaintained PyCrypto's package name (pycryptodome reuses it; pycryptodomex and
#: cryptography do not).
PYCRYPTO_PACKAGE = "Crypto"

_WORDS = re.compile(r"[a-z0-9]+")

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _words(text: str) -> list[str]:
    return _WORDS.findall(_CAMEL.sub("_", text).lower())


def _hinted(text: str | None, hints: tuple[str, ...]) -> bool:
    """Whether a word of ``text`` is a hint or a short inflection of one (``keys``, ``tokens``,
    ``passwords``; not ``keyboard``)."""
    return text is not None and any(
        w.startswith(h) and len(w) - len(h) <= (4 if h.endswith(("passw", "verif")) else 3)
        for w in _words(text)
        for h in hints
    )


def _crypto(index: FactIndex, operation: str) -> Iterator[CryptoOperationFact]:
    for fact in index.facts(CryptoOperationFact):
        if fact.operation == operation:
            yield fact


def check_weak_hash(index: FactIndex) -> Iterator[Finding]:
    """AUD201, message fields: callee, algorithm."""
    passwords = {
        f.call_id for f in index.facts(PasswordHashingFact) if f.kind == "fast_hash"
    }  # AUD207 reports those
    for fact in _crypto(index, "hash"):
        if fact.algorithm not in WEAK_HASHES or not fact.used_for_security:
            continue
        if fact.call_id in passwords:
            continue
        hinted = _hinted(fact.data_text, SECURITY_HINT) or _hinted(
            fact.function.rpartition(".")[2], SECURITY_HINT
        )
        yield at_fact(index, WEAK_HASH, fact, "high" if hinted else "medium",
                      algorithm=fact.algorithm)  # fmt: skip


def check_weak_cipher(index: FactIndex) -> Iterator[Finding]:
    """AUD202, message fields: callee, algorithm."""
    for fact in _crypto(index, "cipher"):
        if fact.algorithm in WEAK_CIPHERS:
            yield at_fact(index, WEAK_CIPHER, fact, "high", algorithm=fact.algorithm)


def check_ecb_mode(index: FactIndex) -> Iterator[Finding]:
    """AUD203, message fields: callee."""
    for fact in index.facts(CryptoOperationFact):
        if fact.mode == "ECB" and fact.operation in ("cipher", "mode"):
            yield at_fact(index, ECB_MODE, fact, "high")


def check_weak_key(index: FactIndex) -> Iterator[Finding]:
    """AUD204, message fields: callee, algorithm, size, minimum, advice."""
    for fact in _crypto(index, "keygen"):
        minimum = MIN_KEY_BITS.get(fact.algorithm or "")
        if minimum is None or fact.key_size is None or fact.key_size >= minimum:
            continue
        advice = "a curve of 256 bits or more (SECP256R1, Ed25519)" if fact.algorithm == "EC" else (
            "3072 bits (at least 2048)")  # fmt: skip
        algorithm = f"{fact.algorithm} ({fact.curve})" if fact.curve else str(fact.algorithm)
        yield at_fact(
            index, WEAK_KEY, fact, "high", algorithm=algorithm, size=str(fact.key_size),
            minimum=str(minimum), advice=advice,
        )  # fmt: skip


def check_insecure_random(index: FactIndex) -> Iterator[Finding]:
    """AUD205, message fields: callee, purpose."""
    for fact in _crypto(index, "random"):
        if not _hinted(fact.purpose, RANDOM_SECRET_HINT):
            continue  # load balancing, jitter, sampling, shuffles: no secret to guess
        yield at_fact(index, INSECURE_RANDOM, fact, "high", purpose=f" and makes `{fact.purpose}`")


def check_hardcoded_secret(index: FactIndex) -> Iterator[Finding]:
    """AUD206, message fields: name, context."""
    contexts = {
        "assignment": "assigned", "attribute": "assigned", "subscript": "assigned",
        "keyword": "passed as a keyword", "default": "a parameter default",
        "dict": "a dict value", "compare": "compared",
    }  # fmt: skip
    for fact in index.facts(SecretLiteralFact):
        if fact.context == "format":  # a known key format: the form says it, whatever the name
            yield at_fact(
                index, HARDCODED_SECRET, fact, "high", name="This string",
                context=f"an {fact.name}" if fact.name[0] in "AEIOU" else f"a {fact.name}",
            )  # fmt: skip
            continue
        yield at_fact(
            index, HARDCODED_SECRET, fact, "medium", name=f"`{short(fact.name)}`",
            context=contexts.get(fact.context, fact.context),
        )  # fmt: skip


def check_weak_crypt(index: FactIndex) -> Iterator[Finding]:
    """AUD211, message fields: callee, method."""
    for callee, spec in CRYPT_CALLS.items():
        for call in index.calls(callee):
            located = locate(index.args(call), spec)
            if located is None:
                continue
            arg = located[0]
            salt = value_of(arg)
            method = None
            if arg.qualname in CRYPT_WEAK_METHODS:
                method = f"`{arg.qualname.rpartition('.')[2]}`"
            elif isinstance(salt, str) and salt.startswith("$1$"):
                method = "MD5 crypt (a `$1$` salt)"
            elif isinstance(salt, str) and len(salt) >= 2 and not salt.startswith("$"):
                method = "traditional DES crypt (a two-character salt)"
            if method is not None:
                yield at_call(index, WEAK_CRYPT, call, "high", method=method)


def check_fast_password_hash(index: FactIndex) -> Iterator[Finding]:
    """AUD207, message fields: callee, password, algorithm."""
    slow = {c.function for c in index.calls_by_id.values() if SLOW_HASH_METHOD(c.attr)}
    for fact in index.facts(PasswordHashingFact):
        weak = fact.kind == "fast_hash" or (fact.algorithm or "") in WEAK_PASSWORD_ALGORITHMS
        if not weak or (fact.kind == "fast_hash" and fact.function in slow):
            continue  # a digest before bcrypt / scrypt (against truncation) is a pre-hash
        yield at_fact(
            index, FAST_PASSWORD_HASH, fact, "high",
            password=short(fact.password_text or "the password"),
            algorithm=f"`{fact.algorithm}`" if fact.algorithm else "a fast digest",
        )  # fmt: skip


def _minimum(algorithm: str | None) -> int | None:
    if algorithm is None:
        return None
    if algorithm in MIN_WORK:
        return MIN_WORK[algorithm]
    return MIN_PBKDF2 if algorithm.startswith("pbkdf2") else None


def check_low_work_factor(index: FactIndex) -> Iterator[Finding]:
    """AUD208, message fields: callee, algorithm, name, work, default, minimum."""
    for fact in index.facts(PasswordHashingFact):
        minimum = _minimum(fact.algorithm)
        if minimum is None or fact.work_factor is None or fact.work_factor >= minimum:
            continue
        yield at_fact(
            index, LOW_WORK_FACTOR, fact, "high", algorithm=str(fact.algorithm),
            name=fact.work_factor_name or "work factor", work=f"{fact.work_factor:,}",
            default=" (the library default)" if fact.work_factor_default else "",
            minimum=f"{minimum:,}",
        )  # fmt: skip


def check_hardcoded_salt(index: FactIndex) -> Iterator[Finding]:
    """AUD209, message fields: callee, salt."""
    for fact in index.facts(PasswordHashingFact):
        if fact.salt_source == "literal":
            confidence = "high"
        elif fact.salt_source == "constant":
            confidence = "medium"
        else:
            continue
        yield at_fact(index, HARDCODED_SALT, fact, confidence, salt=_salt_text(index, fact))


def _salt_text(index: FactIndex, fact: PasswordHashingFact) -> str:
    """The salt as written (``b"static-salt"``, ``SALT``), from the call's arguments."""
    spec = KDF_CALLS.get(fact.callee)
    found = locate(index.args_by_call.get(fact.call_id, []), spec.salt if spec else None)
    if found is None or found[1]:
        return "a literal" if fact.salt_source == "literal" else "a constant"
    return short(found[0].text)


def check_pycrypto(index: FactIndex) -> Iterator[Finding]:
    """AUD210, message fields: module."""
    seen: set[int] = set()
    for imp in index.imports:
        if imp.line in seen:
            continue
        seen.add(imp.line)
        if imp.target == PYCRYPTO_PACKAGE or imp.target.startswith(PYCRYPTO_PACKAGE + "."):
            yield at_fact(index, PYCRYPTO, imp, "low", module=imp.target)


RULES: tuple[Rule, ...] = (
    rule(
        WEAK_HASH,
        "weak-hash",
        "warning",
        "high",
        328,
        summary="MD4, MD5 or SHA-1 is used where a collision-resistant hash may be needed.",
        details=(
            'Reported for `hashlib.md5` / `sha1` (and `hashlib.new("md5")`, `"md4"`), '
            "pycryptodome's `MD2` / `MD4` / `MD5` / `SHA1` and cryptography's `hashes.MD5` / "
            "`SHA1`, unless the call says `usedforsecurity=False`. Confidence is high when the "
            "hashed value or the name it goes to speaks of passwords, tokens, signatures or "
            "keys, medium otherwise (checksums and cache keys are common and harmless: mark "
            "them `usedforsecurity=False`). A digest of a password is AUD207 instead."
        ),
        message="{callee} uses {algorithm}, which has practical collision attacks. Use SHA-256 "
        "(`hashlib.sha256`), or pass `usedforsecurity=False` if this is only a checksum.",
        fix="`hashlib.sha256()` / `hashlib.blake2b()`; for a non-security checksum, "
        "`hashlib.md5(data, usedforsecurity=False)` documents the intent.",
        bad="import hashlib\n\n\ndef sign(token):\n    return hashlib.md5(token).hexdigest()\n",
        good="import hashlib\n\n\ndef sign(token):\n    return hashlib.sha256(token).hexdigest()\n",
        check=check_weak_hash,
    ),
    rule(
        WEAK_CIPHER,
        "weak-cipher",
        "error",
        "high",
        327,
        summary="A broken or legacy cipher (DES, 3DES, RC2, RC4, Blowfish, IDEA, CAST5) is used.",
        details=(
            "Reported for pycryptodome's `DES`, `DES3`, `ARC2`, `ARC4`, `Blowfish`, `CAST`, "
            "`XOR`, cryptography's `TripleDES`, `Blowfish`, `ARC4`, `IDEA`, `CAST5` (also from "
            "`cryptography.hazmat.decrepit`) and pyDes."
        ),
        message="{callee} uses {algorithm}, which is broken or has a 64-bit block. Use AES-GCM "
        "or ChaCha20-Poly1305 (`cryptography.hazmat.primitives.ciphers.aead`).",
        fix="`AESGCM(key).encrypt(nonce, data, aad)` or `ChaCha20Poly1305`; or Fernet for "
        "simple symmetric encryption.",
        bad="from Crypto.Cipher import DES\n\ncipher = DES.new(KEY, DES.MODE_CBC, IV)\n",
        good="from Crypto.Cipher import AES\n\ncipher = AES.new(KEY, AES.MODE_GCM)\n",
        check=check_weak_cipher,
    ),
    rule(
        ECB_MODE,
        "ecb-mode",
        "warning",
        "high",
        327,
        summary="A block cipher is used in ECB mode.",
        details=(
            "Reported for cryptography's `modes.ECB()` and pycryptodome / pyDes ciphers created "
            "with `MODE_ECB` (also written as the number 1), and PyCrypto "
            "`Crypto.Cipher.X.new(key)` / pyDes ciphers created without a mode (their default "
            "is ECB): equal plaintext blocks give equal ciphertext blocks, so patterns show "
            "through, and nothing detects tampering."
        ),
        message="{callee} uses ECB mode: equal blocks encrypt to equal blocks. Use an "
        "authenticated mode (AES-GCM).",
        fix="Use AES-GCM (`AESGCM`, `AES.new(key, AES.MODE_GCM)`) with a fresh nonce per message.",
        bad=(
            "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n\n"
            "cipher = Cipher(algorithms.AES(KEY), modes.ECB())\n"
        ),
        good=(
            "from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes\n\n"
            "cipher = Cipher(algorithms.AES(KEY), modes.GCM(NONCE))\n"
        ),
        check=check_ecb_mode,
    ),
    rule(
        WEAK_KEY,
        "weak-key-size",
        "error",
        "high",
        326,
        summary="An RSA or DSA key under 2048 bits, or an elliptic curve under 224 bits, is "
        "generated.",
        details=(
            "Reported for cryptography's `rsa` / `dsa.generate_private_key` and "
            "`ec.generate_private_key`, pycryptodome's `RSA` / `DSA` / `ECC.generate` and "
            "paramiko's `RSAKey` / `DSSKey.generate` (whose default is 1024 bits) when the key "
            "size is a literal below 2048 bits (RSA, DSA) or the curve has fewer than 224 bits "
            "(SECP192R1, SECT163K1, P-192, ...)."
        ),
        message="{callee} generates a {algorithm} key of {size} bits; the minimum is {minimum}. "
        "Use {advice}.",
        fix="RSA with `key_size=3072` (at least 2048), or an elliptic curve of at least 256 bits "
        "(`ec.SECP256R1()`, Ed25519).",
        bad=(
            "from cryptography.hazmat.primitives.asymmetric import rsa\n\n"
            "key = rsa.generate_private_key(public_exponent=65537, key_size=1024)\n"
        ),
        good=(
            "from cryptography.hazmat.primitives.asymmetric import rsa\n\n"
            "key = rsa.generate_private_key(public_exponent=65537, key_size=3072)\n"
        ),
        check=check_weak_key,
    ),
    rule(
        INSECURE_RANDOM,
        "insecure-random",
        "warning",
        "high",
        338,
        summary="The `random` module (a predictable generator) makes a value that must be secret.",
        details=(
            "Reported for the functions of `random` (and methods of a `random.Random()`), "
            "`random.SystemRandom` excepted, when the value goes to a name (assignment "
            "target, keyword, or the function returning it) whose words speak of tokens, "
            "passwords, keys, nonces, salts, sessions or codes. Other uses (load balancing, "
            "jitter, sampling, shuffles, simulations) need no secret and are not reported."
        ),
        message="{callee} is predictable (Mersenne Twister){purpose}. Use the `secrets` module "
        "(`secrets.token_urlsafe()`, `secrets.choice()`).",
        fix="`secrets.token_urlsafe(32)`, `secrets.token_hex()`, `secrets.choice(alphabet)`, or "
        "`random.SystemRandom()`.",
        bad=(
            "import random\nimport string\n\n\ndef new_token():\n"
            '    return "".join(random.choice(string.ascii_letters) for _ in range(32))\n'
        ),
        good="import secrets\n\n\ndef new_token():\n    return secrets.token_urlsafe(32)\n",
        check=check_insecure_random,
    ),
    rule(
        HARDCODED_SECRET,
        "hardcoded-secret",
        "warning",
        "medium",
        798,
        summary="A password, token or key is written in the source.",
        details=(
            "Reported for string literals in a known key format wherever they are (AWS access "
            "key IDs, GitHub, Slack and Stripe tokens, Google API keys, private-key blocks), "
            "and for string literals assigned to, passed as a keyword to, compared with, used "
            "as a dict value for, or given as the default of a name that ends in a secret word "
            "(`db_password`, `SECRET_KEY`, `apiKey`, `auth_token`, `client_secret`; not "
            "`REASON_CSRF_TOKEN_MISSING`, `TOKEN_URL` or `password_hash`) when the value looks "
            "like a secret of that kind: a password of 6 characters or more, a token that looks "
            "random (16 characters or more, letters and digits, some entropy), a key of 4 "
            'characters or more. Placeholders and dummies (`"${TOKEN}"`, `"<password>"`, '
            '`"***"`, `"test"`, `"changeme"`, the name itself), URLs, key names '
            '(`"_password_reset_token"`, `"NOTPROVIDED"`), messages and templates (text '
            "with spaces or format fields) are not reported, nor are values read from the "
            "environment. The value is not stored in the index."
        ),
        message="{name} holds a hard-coded secret ({context}): everyone with the source has "
        "it, and it cannot be rotated. Read it from the environment or a secret store.",
        fix='`os.environ["DB_PASSWORD"]`, a secrets manager, or a file outside the repository; '
        "rotate the exposed value.",
        bad='DB_PASSWORD = "hunter2-prod"\n',
        good='import os\n\nDB_PASSWORD = os.environ["DB_PASSWORD"]\n',
        check=check_hardcoded_secret,
    ),
    rule(
        FAST_PASSWORD_HASH,
        "fast-password-hash",
        "error",
        "high",
        916,
        summary="A password is hashed with a fast digest or a broken password scheme.",
        details=(
            'Reported for `hashlib` digests (`sha256(password)`, `new("sha1", pw)`, '
            "`h.update(password)`) of a value whose name says password, and for password "
            "hashers configured with a plain or broken algorithm: werkzeug "
            '`method="md5"`, Django `make_password(hasher="md5")`, passlib\'s `md5_crypt`, '
            "`des_crypt`, `ldap_md5`, ... (also as a CryptContext default). Fast digests let an "
            "attacker with the hashes try billions of guesses a second."
        ),
        message="{callee} hashes `{password}` with {algorithm}, which is fast to brute-force. "
        "Use a password hash: argon2 (`argon2.PasswordHasher`), bcrypt, or scrypt.",
        fix="`argon2.PasswordHasher().hash(password)`, `bcrypt.hashpw(pw, bcrypt.gensalt())`, "
        "Django's default hasher, or werkzeug's `generate_password_hash(password)`.",
        bad=(
            "import hashlib\n\n\ndef store(password):\n"
            "    return hashlib.sha256(password.encode()).hexdigest()\n"
        ),
        good=(
            "from argon2 import PasswordHasher\n\n\ndef store(password):\n"
            "    return PasswordHasher().hash(password)\n"
        ),
        check=check_fast_password_hash,
        knowledge=(SLOW_HASH_METHOD,),
    ),
    rule(
        LOW_WORK_FACTOR,
        "low-password-work-factor",
        "warning",
        "high",
        916,
        summary="A password hash or KDF uses fewer iterations or rounds than recommended.",
        details=(
            "Reported when a literal (or library default) work factor is below OWASP's minimum: "
            "PBKDF2-HMAC-SHA256 600,000 iterations (SHA-1 1,300,000, SHA-512 210,000), bcrypt 12 "
            "rounds, scrypt N = 2^17, argon2 memory_cost 19 MiB. Covers `hashlib.pbkdf2_hmac`, "
            "`hashlib.scrypt`, `bcrypt.gensalt`, passlib `.using(rounds=...)` and CryptContext "
            "settings, cryptography's `PBKDF2HMAC` / `Scrypt`, pycryptodome's `PBKDF2` (default "
            '1,000 iterations) / `bcrypt` / `scrypt`, werkzeug `"pbkdf2:sha256:N"`, '
            "Flask-Bcrypt and argon2-cffi."
        ),
        message="{callee} uses {algorithm} with {name} {work}{default}; the minimum is "
        "{minimum}. Raise it (and re-hash on next login).",
        fix="PBKDF2-HMAC-SHA256 with `iterations=600_000` or more, bcrypt with `rounds=12`+, or "
        "argon2id with the library defaults.",
        bad=(
            "import hashlib\n\n\ndef derive(password, salt):\n"
            '    return hashlib.pbkdf2_hmac("sha256", password, salt, 100_000)\n'
        ),
        good=(
            "import hashlib\n\n\ndef derive(password, salt):\n"
            '    return hashlib.pbkdf2_hmac("sha256", password, salt, 600_000)\n'
        ),
        check=check_low_work_factor,
    ),
    rule(
        HARDCODED_SALT,
        "hardcoded-salt",
        "warning",
        "high",
        760,
        summary="A password hash or KDF uses a salt written in the source.",
        details=(
            "Reported when the salt of `hashlib.pbkdf2_hmac`, `hashlib.scrypt`, "
            "`bcrypt.hashpw`, cryptography's `PBKDF2HMAC` / `Scrypt`, pycryptodome's KDFs or "
            "Django's `make_password` is a literal (high) or a name only ever assigned literals "
            "(medium): the same password then gives the same hash for every user, so one "
            "precomputed table cracks them all."
        ),
        message="{callee} uses the fixed salt `{salt}`. Generate a random salt per password "
        "(`os.urandom(16)`) and store it with the hash.",
        fix="`salt = os.urandom(16)` (or `secrets.token_bytes(16)`) for each password, stored "
        "next to the hash; password hashers (argon2, bcrypt) do this for you.",
        bad=(
            "import hashlib\n\n\ndef derive(password):\n"
            '    return hashlib.pbkdf2_hmac("sha256", password, b"static-salt", 600_000)\n'
        ),
        good=(
            "import hashlib\nimport os\n\n\ndef derive(password):\n    salt = os.urandom(16)\n"
            '    return salt, hashlib.pbkdf2_hmac("sha256", password, salt, 600_000)\n'
        ),
        check=check_hardcoded_salt,
        knowledge=(KDF_CALLS,),
    ),
    rule(
        PYCRYPTO,
        "pycrypto-import",
        "info",
        "low",
        1104,
        summary="The `Crypto` package is imported: PyCrypto is unmaintained.",
        details=(
            "Reported on imports of `Crypto` and its submodules. PyCrypto has had no release "
            "since 2013 and has known vulnerabilities; pycryptodome installs under the same "
            "name, which is why confidence is low: if you use pycryptodome, switch to "
            "`pycryptodomex` (`Cryptodome`) to make that unambiguous."
        ),
        message="`{module}` may be PyCrypto, unmaintained since 2013. Use `cryptography`, or "
        "`pycryptodomex` (imported as `Cryptodome`).",
        fix="Replace PyCrypto with `cryptography` or pycryptodomex (`from Cryptodome.Cipher "
        "import AES`).",
        bad="from Crypto.Cipher import AES\n",
        good="from Cryptodome.Cipher import AES\n",
        check=check_pycrypto,
    ),
    rule(
        WEAK_CRYPT,
        "crypt-weak-method",
        "error",
        "high",
        916,
        summary="`crypt` hashes with traditional DES or MD5.",
        details=(
            "Reported for `crypt.crypt(word, salt)` (and `legacycrypt`) with a salt of the "
            "traditional DES form (two characters, no `$`) or the MD5 form (`$1$...`), or "
            "`crypt.METHOD_CRYPT` / `crypt.METHOD_MD5`, and for `crypt.mksalt()` of those "
            "methods. DES crypt keeps 8 characters of the password and MD5 crypt is fast: "
            "both fall to brute force. `crypt.crypt(word)` alone picks the strongest method "
            "and is not reported."
        ),
        message="{callee} hashes with {method}, which is fast to brute-force (DES keeps only "
        "8 characters). Use `crypt.METHOD_SHA512` at least, or better argon2 / bcrypt.",
        fix="`argon2.PasswordHasher().hash(password)`, or `crypt.crypt(word, "
        "crypt.mksalt(crypt.METHOD_SHA512))` where the system format is required.",
        bad='import crypt\n\n\ndef store(password):\n    return crypt.crypt(password, "ab")\n',
        good=(
            "import crypt\n\n\ndef store(password):\n"
            "    return crypt.crypt(password, crypt.mksalt(crypt.METHOD_SHA512))\n"
        ),
        check=check_weak_crypt,
        knowledge=(CRYPT_CALLS, CRYPT_WEAK_METHODS),
    ),
)

register(*RULES)

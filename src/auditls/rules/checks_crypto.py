"""The checks of the 2xx rules: crypto and secrets, over the security extractors' facts."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from auditls.facts.security import CryptoOperationFact, PasswordHashingFact, SecretLiteralFact
from auditls.rules.catalogue_crypto import (
    ECB_MODE,
    FAST_PASSWORD_HASH,
    HARDCODED_SALT,
    HARDCODED_SECRET,
    INSECURE_RANDOM,
    LOW_WORK_FACTOR,
    MIN_KEY_BITS,
    MIN_PBKDF2,
    MIN_WORK,
    PYCRYPTO,
    PYCRYPTO_PACKAGE,
    RANDOM_SECRET_HINT,
    SECURITY_HINT,
    WEAK_CIPHER,
    WEAK_CIPHERS,
    WEAK_HASH,
    WEAK_HASHES,
    WEAK_KEY,
    WEAK_PASSWORD_ALGORITHMS,
)
from auditls.rules.findings import Finding
from auditls.rules.index import Check, FactIndex, at_fact, short

_WORDS = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def _words(text: str) -> list[str]:
    return _WORDS.findall(_CAMEL.sub("_", text).lower())


def _hinted(text: str | None, hints: tuple[str, ...]) -> bool:
    return text is not None and any(w.startswith(hints) for w in _words(text))


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
        hinted = _hinted(fact.purpose, RANDOM_SECRET_HINT)
        purpose = f" and makes `{fact.purpose}`" if hinted else ""
        yield at_fact(index, INSECURE_RANDOM, fact, "high" if hinted else "low", purpose=purpose)


def check_hardcoded_secret(index: FactIndex) -> Iterator[Finding]:
    """AUD206, message fields: name, context."""
    contexts = {
        "assignment": "assigned", "attribute": "assigned", "subscript": "assigned",
        "keyword": "passed as a keyword", "default": "a parameter default",
        "dict": "a dict value", "compare": "compared",
    }  # fmt: skip
    for fact in index.facts(SecretLiteralFact):
        yield at_fact(
            index, HARDCODED_SECRET, fact, "medium", name=short(fact.name),
            context=contexts.get(fact.context, fact.context),
        )  # fmt: skip


def check_fast_password_hash(index: FactIndex) -> Iterator[Finding]:
    """AUD207, message fields: callee, password, algorithm."""
    for fact in index.facts(PasswordHashingFact):
        weak = fact.kind == "fast_hash" or (fact.algorithm or "") in WEAK_PASSWORD_ALGORITHMS
        if not weak:
            continue
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
        yield at_fact(index, HARDCODED_SALT, fact, confidence, salt="a literal" if confidence ==
                      "high" else "a constant")  # fmt: skip


def check_pycrypto(index: FactIndex) -> Iterator[Finding]:
    """AUD210, message fields: module."""
    seen: set[int] = set()
    for imp in index.imports:
        if imp.line in seen:
            continue
        seen.add(imp.line)
        if imp.target == PYCRYPTO_PACKAGE or imp.target.startswith(PYCRYPTO_PACKAGE + "."):
            yield at_fact(index, PYCRYPTO, imp, "low", module=imp.target)


CRYPTO_CHECKS: Mapping[str, Check] = {
    WEAK_HASH: check_weak_hash,
    WEAK_CIPHER: check_weak_cipher,
    ECB_MODE: check_ecb_mode,
    WEAK_KEY: check_weak_key,
    INSECURE_RANDOM: check_insecure_random,
    HARDCODED_SECRET: check_hardcoded_secret,
    FAST_PASSWORD_HASH: check_fast_password_hash,
    LOW_WORK_FACTOR: check_low_work_factor,
    HARDCODED_SALT: check_hardcoded_salt,
    PYCRYPTO: check_pycrypto,
}

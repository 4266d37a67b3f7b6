"""The checks of the 3xx rules: JWT verification and keys, over ``python_jwt_operations``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from auditls.facts.security import JwtOperationFact
from auditls.rules.catalogue_auth import (
    JWT_ALGORITHMS,
    JWT_HARDCODED_KEY,
    JWT_UNVERIFIED,
    NONE_ALGORITHM,
)
from auditls.rules.findings import Finding
from auditls.rules.index import Check, FactIndex, at_fact, short


def check_jwt_unverified(index: FactIndex) -> Iterator[Finding]:
    """AUD301, message fields: callee, option."""
    for fact in index.facts(JwtOperationFact):
        if fact.operation == "decode" and fact.verify_signature is False:
            option = f"`{short(fact.options_text or 'verify=False', 50)}`"
            yield at_fact(index, JWT_UNVERIFIED, fact, "high", option=option)


def check_jwt_algorithms(index: FactIndex) -> Iterator[Finding]:
    """AUD302, message fields: callee, how."""
    for fact in index.facts(JwtOperationFact):
        has_none = any(a.lower() == NONE_ALGORITHM for a in fact.algorithms)
        if fact.operation == "encode":
            if has_none:
                yield at_fact(
                    index,
                    JWT_ALGORITHMS,
                    fact,
                    "high",
                    how="signs with the `none` algorithm: the token has no signature",
                )
            continue
        if fact.verify_signature is False or fact.library == "authlib":
            continue
        if has_none:
            yield at_fact(
                index,
                JWT_ALGORITHMS,
                fact,
                "high",
                how="accepts the `none` algorithm: unsigned tokens pass",
            )
        elif fact.algorithms_state == "missing":
            yield at_fact(
                index,
                JWT_ALGORITHMS,
                fact,
                "medium",
                how="does not pin `algorithms`: the token's header may choose",
            )


def check_jwt_hardcoded_key(index: FactIndex) -> Iterator[Finding]:
    """AUD303, message fields: callee, how."""
    for fact in index.facts(JwtOperationFact):
        if fact.key_is_public:
            continue
        if fact.key_source == "literal":
            yield at_fact(index, JWT_HARDCODED_KEY, fact, "high", how="a string literal")
        elif fact.key_source == "constant":
            yield at_fact(
                index, JWT_HARDCODED_KEY, fact, "medium", how="a name only ever assigned literals"
            )


AUTH_CHECKS: Mapping[str, Check] = {
    JWT_UNVERIFIED: check_jwt_unverified,
    JWT_ALGORITHMS: check_jwt_algorithms,
    JWT_HARDCODED_KEY: check_jwt_hardcoded_key,
}

"""The 3xx rules over one file: JWT (301-303) and access checks made with ``assert`` (309); the
framework rules add route-level judgements over ``python_auth_patterns`` and
``python_csrf_protections`` (``rules.flask``)."""

from __future__ import annotations

from collections.abc import Iterator

from auditls.facts.security import AccessAssertFact, JwtOperationFact
from auditls.knowledge.heuristics import TEST_FILE, capped
from auditls.rules.findings import Finding
from auditls.rules.index import FactIndex, at_fact, short
from auditls.rules.model import Rule, rule
from auditls.rules.registry import register

JWT_UNVERIFIED = "AUD301"

JWT_ALGORITHMS = "AUD302"

JWT_HARDCODED_KEY = "AUD303"

ASSERT_ACCESS_CHECK = "AUD309"

#: AUD302: the algorithm that means "no signature".
NONE_ALGORITHM = "none"


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


def check_assert_access(index: FactIndex) -> Iterator[Finding]:
    """AUD309, message fields: subject, test."""
    if TEST_FILE(index.ff.path):
        return  # asserts are what tests are made of
    for fact in index.facts(AccessAssertFact):
        yield at_fact(
            index, ASSERT_ACCESS_CHECK, fact, capped("medium"), subject=fact.subject,
            test=short(fact.text, 50),
        )  # fmt: skip


RULES: tuple[Rule, ...] = (
    rule(
        JWT_UNVERIFIED,
        "jwt-signature-not-verified",
        "error",
        "high",
        347,
        summary="A JWT is decoded without verifying its signature.",
        details=(
            "Reported for PyJWT and python-jose `decode` with "
            '`options={"verify_signature": False}` (a literal dict, or a name assigned one) '
            "and PyJWT 1's `verify=False`: anyone can forge the claims (user id, roles, expiry)."
        ),
        message="{callee} skips signature verification ({option}): any client can forge these "
        "claims. Verify with the key and a fixed `algorithms=[...]`.",
        fix='`jwt.decode(token, key, algorithms=["HS256"])`; to peek at a header before '
        "choosing a key, use `jwt.get_unverified_header(token)` and still verify.",
        bad=(
            "import jwt\n\n\ndef claims(token):\n"
            '    return jwt.decode(token, options={"verify_signature": False})\n'
        ),
        good=(
            "import jwt\n\n\ndef claims(token, key):\n"
            '    return jwt.decode(token, key, algorithms=["HS256"])\n'
        ),
        check=check_jwt_unverified,
    ),
    rule(
        JWT_ALGORITHMS,
        "jwt-algorithm-not-pinned",
        "error",
        "high",
        347,
        summary="A JWT decode accepts the `none` algorithm, or does not pin its algorithms.",
        details=(
            'Reported for `decode` with `"none"` among the `algorithms` (high), and for '
            "`decode` without `algorithms` (medium: python-jose then accepts the token's own "
            "`alg`, allowing algorithm confusion; PyJWT 2 refuses, PyJWT 1 accepts). Also for "
            '`encode` with `algorithm="none"` (unsigned tokens). Not reported when '
            "verification is off (AUD301 covers that)."
        ),
        message="{callee} {how}. Pass a fixed list of the algorithms you sign with, e.g. "
        '`algorithms=["RS256"]`.',
        fix='`jwt.decode(token, key, algorithms=["RS256"])`: a literal list, never derived '
        "from the token's header.",
        bad=(
            "from jose import jwt\n\n\ndef claims(token, key):\n    return jwt.decode(token, key)\n"
        ),
        good=(
            "from jose import jwt\n\n\ndef claims(token, key):\n"
            '    return jwt.decode(token, key, algorithms=["RS256"])\n'
        ),
        check=check_jwt_algorithms,
    ),
    rule(
        JWT_HARDCODED_KEY,
        "jwt-hardcoded-secret",
        "error",
        "high",
        798,
        summary="JWTs are signed or verified with a key written in the source.",
        details=(
            "Reported for `encode` / `decode` whose key is a string literal (high) or a name "
            "only ever assigned literals (medium), literal public keys (PEM `PUBLIC KEY`, "
            "`ssh-`) excepted: everyone with the source can mint valid tokens."
        ),
        message="{callee} uses a key written in the source ({how}): anyone with the source can "
        "forge tokens. Load the key from the environment or a secret store.",
        fix='`jwt.encode(payload, os.environ["JWT_SECRET"], algorithm="HS256")`, or an '
        "asymmetric key pair whose private half is kept out of the repository.",
        bad=(
            "import jwt\n\n\ndef issue(user_id):\n"
            '    return jwt.encode({"sub": user_id}, "s3cr3t", algorithm="HS256")\n'
        ),
        good=(
            "import os\n\nimport jwt\n\n\ndef issue(user_id):\n"
            '    key = os.environ["JWT_SECRET"]\n'
            '    return jwt.encode({"sub": user_id}, key, algorithm="HS256")\n'
        ),
        check=check_jwt_hardcoded_key,
    ),
    rule(
        ASSERT_ACCESS_CHECK,
        "assert-access-check",
        "warning",
        "medium",
        703,
        summary="An access check is made with `assert`, which `python -O` removes.",
        details=(
            "Reported for `assert` statements outside test code whose test reads an "
            "access-control name (`is_authenticated`, `is_superuser`, `is_staff`, `is_admin`, "
            "`has_perm`, `has_permission`, `has_role`, `check_permission`, `permissions`, "
            "`roles`, `owner`...; the `access-check-name` heuristic, so medium confidence). "
            "Under `python -O` or `PYTHONOPTIMIZE` every assert is dropped, and the check "
            "with it: everyone gets through."
        ),
        message="`assert {test}` checks access (`{subject}`), and `python -O` removes it. Raise "
        "an exception (`PermissionDenied`, `abort(403)`) instead.",
        fix="`if not user.is_superuser: raise PermissionDenied`.",
        bad=(
            "def delete_all(request):\n    assert request.user.is_superuser\n    return purge()\n"
        ),
        good=(
            "def delete_all(request):\n    if not request.user.is_superuser:\n"
            '        raise PermissionError("superusers only")\n    return purge()\n'
        ),
        check=check_assert_access,
        knowledge=(TEST_FILE,),
    ),
)

register(*RULES)

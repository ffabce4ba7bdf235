"""Password hashing (argon2id, via argon2-cffi) and the password policy.

Hashes carry their own parameters, so raising the cost later needs no migration: a login
whose stored hash used weaker parameters than ``hasher`` stores a fresh hash
(``check_needs_rehash``).
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from linkwise.govern.accounts import InvalidFieldError

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
"""Long enough for any passphrase; the cap stops a megabyte "password" costing a hash."""
MIN_NAME_CHECKED = 4
"""Usernames at least this long may not appear in their user's password."""

hasher = PasswordHasher()
"""argon2-cffi's defaults (RFC 9106 low-memory profile). Tests swap in a cheaper one."""


class PasswordPolicyError(InvalidFieldError):
    """A new password breaks the policy; the message says which rule and what to do."""

    def __init__(self, problem: str) -> None:
        super().__init__("password", problem)


@dataclass(frozen=True, slots=True)
class Verification:
    ok: bool
    new_hash: str | None = None
    """Set when the password was right and its stored hash should be replaced."""


def check_policy(password: str, username: str) -> None:
    """Raise PasswordPolicyError unless ``password`` may be set for ``username``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise PasswordPolicyError(
            f"must be at least {MIN_PASSWORD_LENGTH} characters (this one has "
            f"{len(password)}); a few unrelated words make a good one"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise PasswordPolicyError(f"must be at most {MAX_PASSWORD_LENGTH} characters")
    if not password.strip():
        raise PasswordPolicyError("must not be only spaces")
    if not _is_text(password):
        raise PasswordPolicyError("is not valid UTF-8 text (it holds bytes of another encoding)")
    # Shorter names would refuse innocent passwords ("ann" is in "planning").
    if len(username) >= MIN_NAME_CHECKED and username.casefold() in password.casefold():
        raise PasswordPolicyError("must not contain the username")


def hash_password(password: str) -> str:
    return hasher.hash(password)


def _is_text(password: str) -> bool:
    """Whether ``password`` is text UTF-8 can hold: bytes of another encoding, read from a
    terminal or the environment, arrive as lone surrogates, which no password can be."""
    try:
        password.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def verify_password(stored_hash: str, password: str) -> Verification:
    """Whether ``password`` matches; a match on outdated parameters asks for a rehash. A
    password that is not text matches nothing."""
    if not _is_text(password):
        return Verification(ok=False)
    try:
        hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return Verification(ok=False)
    if hasher.check_needs_rehash(stored_hash):
        return Verification(ok=True, new_hash=hasher.hash(password))
    return Verification(ok=True)


def spend_verification_time(password: str) -> None:
    """Verify against a throwaway hash, so that a login for an unknown user costs as long
    as one for a known user and timing does not reveal which usernames exist."""
    with suppress(VerificationError, InvalidHashError):
        hasher.verify(_dummy_hash(hasher), password if _is_text(password) else "")


@lru_cache(maxsize=4)
def _dummy_hash(current: PasswordHasher) -> str:
    return current.hash("not a password anybody has: linkwise timing equaliser")

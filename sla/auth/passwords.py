"""Password hashing with argon2id (argon2-cffi's recommended parameters)."""

from __future__ import annotations

import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from sla.errors import DomainError

_hasher = PasswordHasher()
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def dummy_hash() -> str:
    """A hash of a random password, made once with the current parameters: verifying
    against it takes as long as a real verification (for names that match no account)."""
    return _hasher.hash(secrets.token_urlsafe(16))


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def password_problem(password: str) -> DomainError | None:
    """Why a new password is refused (the error to raise), or None. Length matters more than
    character classes."""
    if len(password) < MIN_LENGTH:
        return DomainError("password.too_short", field="password", count=MIN_LENGTH)
    return None

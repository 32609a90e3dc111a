"""Passwords (argon2id via argon2-cffi), session and CSRF tokens, and the login rate limit's numbers."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from medora.errors import InvalidRequest

HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
MIN_PASSWORD = 12
SESSION_TTL = timedelta(hours=12)
LOGIN_WINDOW = timedelta(minutes=15)
MAX_FAILURES_PER_USER = 5  # per username and client address per window (issue #14: no lock-out from elsewhere)
MAX_FAILURES_PER_IP = 20  # per client address per window
ATTEMPTS_KEPT = timedelta(days=30)  # sign-in attempts older than this are pruned (they still serve audits until then)
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")
# verified against when the username does not exist, so a wrong username costs as much time as a wrong password
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


def check_username(username: str) -> str:
    name = username.strip().lower()
    if not (2 <= len(name) <= 64) or not set(name) <= USERNAME_CHARS:
        raise InvalidRequest(
            f"invalid username {username!r}", hint="Use 2-64 characters: lower-case letters, digits, '.', '_' or '-'."
        )
    return name


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise InvalidRequest(
            f"the password is too short ({len(password)} characters)",
            hint=f"Use at least {MIN_PASSWORD} characters; a passphrase of several words is best.",
        )
    return HASHER.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return HASHER.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return HASHER.check_needs_rehash(stored_hash)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_id(token: str) -> str:
    """What the database keeps of a session token: its SHA-256, so a leaked table grants no session."""
    return hashlib.sha256(token.encode()).hexdigest()


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))

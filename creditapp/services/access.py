"""Lenders, users and API keys: creation, hashing and authentication."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import Conflict, DomainError, NotFound
from ..models import ApiKey, Lender, User
from ..models.access import LENDER_KINDS, ROLES
from .audit import Actor, record

KEY_PREFIX = "imk_"
API_SCOPES = ("applications", "score", "loans", "programs", "models")
MIN_PASSWORD_LENGTH = 10


@dataclass(frozen=True)
class IssuedKey:
    """A new API key: ``secret`` is shown once and never stored."""

    api_key: ApiKey
    secret: str


def hash_key(secret: str) -> str:
    """Hash an API key. Keys carry 256 random bits, so a plain SHA-256 cannot be reversed
    and keeps authentication fast on every request (a password hash would cost ~50 ms)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def create_lender(session: Session, actor: Actor, code: str, name: str, kind: str) -> Lender:
    """Register a lender."""
    if kind not in LENDER_KINDS:
        raise DomainError("unknown lender kind", {"kind": [f"must be one of {LENDER_KINDS}"]})
    if session.scalar(select(Lender).where(Lender.code == code)):
        raise Conflict("lender exists", {"code": [f"lender {code!r} already exists"]})
    lender = Lender(code=code, name=name, kind=kind)
    session.add(lender)
    session.flush()
    record(session, actor, "lender.create", "lender", lender.id, after={"code": code, "kind": kind})
    return lender


def lender_by_code(session: Session, code: str) -> Lender:
    """Return the lender with ``code``."""
    lender = session.scalar(select(Lender).where(Lender.code == code))
    if lender is None:
        raise NotFound("no such lender", {"lender": [f"no lender with code {code!r}"]})
    return lender


def create_user(
    session: Session,
    actor: Actor,
    *,
    email: str,
    name: str,
    role: str,
    password: str,
    lender: Lender | None = None,
    locale: str = "id",
    senior: bool = False,
) -> User:
    """Create a user with a hashed password (``senior``: a senior loan officer)."""
    errors: dict[str, list[str]] = {}
    if role not in ROLES:
        errors["role"] = [f"must be one of {ROLES}"]
    if len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = [f"must have at least {MIN_PASSWORD_LENGTH} characters"]
    if "@" not in email:
        errors["email"] = ["not an e-mail address"]
    if role == "loan_officer" and lender is None:
        errors["lender"] = ["a loan officer belongs to a lender"]
    if senior and role != "loan_officer":
        errors["senior"] = ["only a loan officer can be senior"]
    if errors:
        raise DomainError("invalid user", errors)
    email = email.strip().lower()
    if session.scalar(select(User).where(User.email == email)):
        raise Conflict("user exists", {"email": ["a user with this e-mail exists"]})
    user = User(
        email=email,
        name=name,
        role=role,
        password_hash=generate_password_hash(password),
        lender_id=lender.id if lender else None,
        locale=locale,
        senior=senior,
    )
    session.add(user)
    session.flush()
    record(session, actor, "user.create", "user", user.id, after={"role": role, "senior": senior})
    return user


def set_senior(session: Session, actor: Actor, email: str, senior: bool) -> User:
    """Mark a loan officer as senior (or not); audited with the value before and after."""
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise NotFound("no such user", {"email": [f"no user {email!r}"]})
    if senior and user.role != "loan_officer":
        raise DomainError("not a loan officer", {"senior": ["only a loan officer can be senior"]})
    before = user.senior
    user.senior = senior
    session.flush()
    record(
        session,
        actor,
        "user.senior",
        "user",
        user.id,
        before={"senior": before},
        after={"senior": senior},
    )
    return user


def verify_password(user: User, password: str) -> bool:
    """Check a password against the stored hash."""
    return user.active and check_password_hash(user.password_hash, password)


def issue_api_key(
    session: Session,
    actor: Actor,
    lender: Lender,
    name: str,
    scopes: tuple[str, ...] = API_SCOPES,
) -> IssuedKey:
    """Issue a key for ``lender``; the returned secret is the only copy."""
    unknown = sorted(set(scopes) - set(API_SCOPES))
    if unknown:
        raise DomainError("unknown scope", {"scopes": [f"unknown: {', '.join(unknown)}"]})
    prefix = secrets.token_hex(6)
    secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        lender_id=lender.id,
        name=name,
        prefix=prefix,
        key_hash=hash_key(secret),
        scopes=list(scopes),
    )
    session.add(key)
    session.flush()
    record(session, actor, "api_key.issue", "api_key", key.id, after={"lender_id": lender.id})
    return IssuedKey(key, secret)


def revoke_api_key(session: Session, actor: Actor, prefix: str, now: datetime) -> ApiKey:
    """Revoke a key by its public prefix."""
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None:
        raise NotFound("no such key", {"prefix": [f"no API key with prefix {prefix!r}"]})
    if key.revoked_at is None:
        key.revoked_at = now
        record(session, actor, "api_key.revoke", "api_key", key.id)
    session.flush()
    return key


def authenticate_key(session: Session, secret: str) -> ApiKey | None:
    """Return the active key matching ``secret``, or None."""
    if not secret.startswith(KEY_PREFIX) or secret.count("_") < 2:
        return None
    prefix = secret[len(KEY_PREFIX) :].split("_", 1)[0]
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix))
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.key_hash, hash_key(secret)):
        return None
    return key

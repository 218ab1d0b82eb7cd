"""National ID numbers (NIK) at rest: AES-256-GCM encryption plus an HMAC-SHA256 look-up hash.

UU 27/2022 (personal data protection) covers NIKs. The database holds a NIK only as
``owner_nik_enc`` (random nonce + ciphertext + tag, so equal NIKs never look equal and a
changed byte is detected) and ``owner_nik_hash`` (a keyed hash: "same NIK?" look-ups and the
one-NIK-one-person and KUR access-count checks, without the clear number, and useless to
anyone without the key). Both subkeys derive (HKDF) from one 32-byte secret: ``NIK_KEY``
(URL-safe base64) in the environment, else ``instance/nik_key``, generated once and readable
by its owner only; it is never in the repository, and a backup of the database is useless
without it (back it up separately).
"""

from __future__ import annotations

import base64
import calendar
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from scoring.parse_profile import PROVINCE_CODES

NIK_KEY_FILE = "nik_key"
FORMAT = "v1"  # a new key or algorithm gets a new prefix; old rows stay readable
_AAD = b"enterprises.owner_nik"


class NikCipher:
    """Encrypt, decrypt and hash NIKs with keys derived from one secret."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) != 32:
            raise ValueError("NIK_KEY must be 32 bytes (URL-safe base64, 44 characters)")
        self._aead = AESGCM(_derive(secret, b"nik-encryption"))
        self._mac_key = _derive(secret, b"nik-lookup-hash")

    def encrypt(self, nik: str) -> str:
        nonce = secrets.token_bytes(12)
        sealed = self._aead.encrypt(nonce, nik.encode(), _AAD)
        return f"{FORMAT}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, stored: str) -> str:
        version, _, body = stored.partition(".")
        if version != FORMAT:
            raise ValueError(f"unknown NIK encryption format {version!r}")
        try:
            raw = base64.urlsafe_b64decode(body)
            return self._aead.decrypt(raw[:12], raw[12:], _AAD).decode()
        except (InvalidTag, ValueError) as exc:
            raise ValueError("the stored NIK does not decrypt with this key") from exc

    def hash(self, nik: str) -> str:
        return hmac.new(self._mac_key, nik.encode(), hashlib.sha256).hexdigest()


def _derive(secret: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret)


def load_nik_secret(instance_path: Path) -> bytes:
    """Return ``NIK_KEY`` from the environment, else the instance's key file (made once)."""
    env = os.environ.get("NIK_KEY")
    if env:
        return base64.urlsafe_b64decode(env.strip())
    path = instance_path / NIK_KEY_FILE
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        try:  # O_EXCL: of two workers starting at once, one writes and the other reads
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(key)
    return base64.urlsafe_b64decode(path.read_text().strip())


def default_instance_path() -> Path:
    """Where ``create_app`` keeps its instance files (for callers without an app)."""
    env = os.environ.get("CREDITAPP_INSTANCE")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "instance"


_fallback: NikCipher | None = None


def cipher() -> NikCipher:
    """The current app's cipher, or (no app: scripts, migrations) the instance's."""
    from flask import current_app, has_app_context

    if has_app_context() and "nik_cipher" in current_app.extensions:
        found: NikCipher = current_app.extensions["nik_cipher"]
        return found
    global _fallback
    if _fallback is None:
        _fallback = NikCipher(load_nik_secret(default_instance_path()))
    return _fallback


def nik_problem(nik: str) -> str | None:
    """Why ``nik`` cannot be a real NIK, or None when it is plausible.

    A NIK is 16 digits: province (2) regency (2) district (2), birth date DDMMYY with 40
    added to the day for women, and a serial (4) that starts at 0001. The century of the
    birth year is not in the number, so a date is accepted when it exists in either.
    """
    if len(nik) != 16 or not nik.isascii() or not nik.isdigit():
        return "must be 16 digits"
    if int(nik[:2]) not in PROVINCE_CODES:
        return "must start with a real province code (11 to 97, BPS/Dukcapil numbering)"
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if day > 40:
        day -= 40
    valid_date = 1 <= month <= 12 and any(
        1 <= day <= calendar.monthrange(century + year, month)[1] for century in (1900, 2000)
    )
    if not valid_date:
        return "must carry a real birth date (DDMMYY, day + 40 for women)"
    if nik[12:] == "0000":
        return "must end with a serial number from 0001"
    return None

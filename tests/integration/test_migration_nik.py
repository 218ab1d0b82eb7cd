"""Migration 0008_nik encrypts the NIKs already stored, and its downgrade restores them."""

from __future__ import annotations

import base64
from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import text

from creditapp.db import make_engine
from creditapp.migrate import alembic_config, upgrade
from creditapp.pii import NikCipher
from tests.integration.test_migrations import empty_database_url  # noqa: F401  (fixture)

NIKS = ["3273014107900011", "3201231508850002", "3273014107900011"]  # two rows, one person
KEY = bytes(range(32))


def _hmac(nik: str) -> str:
    import hashlib
    import hmac

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    mac_key = HKDF(hashes.SHA256(), 32, salt=None, info=b"nik-lookup-hash").derive(KEY)
    return hmac.new(mac_key, nik.encode(), hashlib.sha256).hexdigest()


def _config(url: str):  # type: ignore[no-untyped-def]
    cfg = alembic_config(url)
    cfg.attributes["nik_cipher"] = NikCipher(KEY)
    return cfg


def test_existing_niks_are_encrypted_and_hashed(empty_database_url: str) -> None:  # noqa: F811
    url = empty_database_url
    upgrade(url, "0006_senior")
    engine = make_engine(url)
    now = datetime(2026, 12, 1, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO lenders (id, code, name, kind, active, created_at) "
                "VALUES (1, 'BANK-M', 'Bank M', 'bank', true, :now)"
            ),
            {"now": now},
        )
        for i, nik in enumerate(NIKS, start=1):
            conn.execute(
                text(
                    "INSERT INTO enterprises (id, lender_id, name, owner_name, owner_nik, "
                    "owner_gender, kbli, kbli_division, province, regency, founded_on, workers, "
                    "assets, annual_sales, other_productive_credit, entrepreneurship_training, "
                    "kur_access_count, created_at) VALUES (:id, 1, 'Usaha', 'Siti', :nik, 'F', "
                    "'10792', 10, '32', '3273', :founded, 3, 1000, 2000, false, false, 0, :now)"
                ),
                {"id": i, "nik": nik, "founded": date(2020, 1, 1), "now": now},
            )
    command.upgrade(_config(url), "0008_nik")
    c = NikCipher(KEY)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM enterprises ORDER BY id")).mappings().all()
    assert "owner_nik" not in rows[0]
    for row, nik in zip(rows, NIKS, strict=True):
        assert nik not in repr(dict(row))
        assert c.decrypt(row["owner_nik_enc"]) == nik
        # The keyed hash, worked out here from the HKDF-derived key, not through pii's code.
        assert row["owner_nik_hash"] == _hmac(nik)
    assert rows[0]["owner_nik_hash"] == rows[2]["owner_nik_hash"]  # same person, one hash
    assert rows[0]["owner_nik_enc"] != rows[2]["owner_nik_enc"]  # but not the same ciphertext
    assert rows[0]["owner_nik_hash"] != NikCipher(bytes(32)).hash(NIKS[0])  # keyed

    command.downgrade(_config(url), "0006_senior")
    with engine.connect() as conn:
        back = conn.execute(text("SELECT owner_nik FROM enterprises ORDER BY id")).scalars().all()
    engine.dispose()
    assert back == NIKS


def test_nik_key_from_the_environment_must_be_32_bytes() -> None:
    import pytest

    with pytest.raises(ValueError, match="32 bytes"):
        NikCipher(base64.urlsafe_b64decode(base64.urlsafe_b64encode(b"short")))

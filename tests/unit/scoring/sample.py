"""Seeded synthetic payloads for scoring tests (until and besides the fixtures population)."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

AS_OF = date(2026, 11, 30)


def _month(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def make_payload(seed: int, months: int = 24, per_month: int = 30) -> dict[str, Any]:
    """Return a valid application payload with ``months * per_month`` transactions."""
    rng = random.Random(seed)
    start = AS_OF - timedelta(days=int(months * 30.4) + 20)
    base = rng.randint(5, 60) * 1_000_000
    txs = []
    for _ in range(months * per_month):
        day = start + timedelta(days=rng.randrange((AS_OF - start).days))
        inflow = rng.random() < 0.6
        amount = int(base / per_month * rng.uniform(0.3, 2.0)) + 1
        txs.append(
            {
                "date": day.isoformat(),
                "amount": amount if inflow else int(amount * 0.7) + 1,
                "direction": "in" if inflow else "out",
                "channel": rng.choice(["bank_transfer", "qris", "ewallet", "cash_deposit"]),
            }
        )
    market = []
    if rng.random() < 0.6:
        for m in range(1, rng.randint(3, 24)):
            d = date(AS_OF.year, AS_OF.month, 1) - timedelta(days=30 * m)
            market.append(
                {
                    "month": _month(d),
                    "gmv": rng.randint(1, 30) * 1_000_000,
                    "orders": rng.randint(5, 200),
                    "rating": round(rng.uniform(3.0, 5.0), 1) if m % 5 else None,
                    "return_rate": round(rng.uniform(0, 0.1), 3),
                }
            )
    coop = None
    if rng.random() < 0.5:
        coop = {
            "member_since": (AS_OF - timedelta(days=rng.randint(200, 3000))).isoformat(),
            "savings": [
                {
                    "month": _month(date(AS_OF.year, AS_OF.month, 1) - timedelta(days=30 * m)),
                    "status": rng.choice(["on_time", "on_time", "late", "missed"]),
                }
                for m in range(1, rng.randint(2, 20))
            ],
            "loans": [
                {
                    "disbursed_on": "2023-02-01",
                    "amount": 5_000_000,
                    "status": rng.choice(["repaid_on_time", "repaid_late", "defaulted"]),
                    "max_dpd": rng.choice([0, 0, 15, 95]),
                }
            ]
            if rng.random() < 0.5
            else [],
        }
    return {
        "as_of": AS_OF.isoformat(),
        "enterprise": {
            "name": "UD Sumber Rejeki",
            "owner_name": "Siti Aminah",
            "owner_nik": "3201234567890001",
            "owner_gender": rng.choice(["F", "M"]),
            "kbli": rng.choice(["10792", "13121", "16220", "31001"]),
            "province": rng.choice(["32", "33", "35", "73"]),
            "regency": "3204",
            "founded_on": (start - timedelta(days=rng.randint(30, 4000))).isoformat(),
            "workers": rng.randint(1, 19),
            "assets": rng.randint(10, 900) * 1_000_000,
            "annual_sales": base * 12,
            "other_productive_credit": rng.random() < 0.1,
            "entrepreneurship_training": rng.random() < 0.3,
            "kur_access_count": rng.randint(0, 3),
            "certifications": [
                {"kind": "PIRT", "issued_on": "2022-01-10", "expires_on": "2027-01-10"}
            ]
            if rng.random() < 0.5
            else [],
            "partnerships": [
                {
                    "partner_size": "large",
                    "since": "2024-01-01",
                    "until": None,
                    "annual_value": 120_000_000,
                }
            ]
            if rng.random() < 0.3
            else [],
            "exports": [{"month": "2026-05", "value": 25_000_000}] if rng.random() < 0.2 else [],
        },
        "transactions": txs,
        "marketplace": market,
        "cooperative": coop,
        "request": {
            "program": "KUR-MIKRO",
            "amount": rng.randint(5, 100) * 1_000_000,
            "tenor_months": rng.choice([12, 24, 36]),
            "purpose": "working_capital",
        },
    }

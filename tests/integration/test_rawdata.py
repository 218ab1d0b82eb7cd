"""Training data from the database: ``raw_batch_for`` rebuilds exactly what the API scored, and
``outcome_labels`` labels only loans whose whole outcome window is observed."""

from __future__ import annotations

import copy
from dataclasses import fields
from datetime import date
from typing import Any

import numpy as np
import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import Disbursement, LoanStatus, ScoreRecord, WriteOff
from creditapp.services import rawdata
from creditapp.services.outcomes import outcome_counts, outcome_labels, window_end
from creditapp.services.rawdata import raw_batch_for
from fixtures.payloads import application_payload
from fixtures.tables import Population
from loanmath.dates import add_months
from scoring.features import compute_features
from scoring.parse import parse_applications
from scoring.raw import RawBatch, day_number
from tests.api.conftest import ApiEnv
from tests.factories import core
from tests.factories.loans import user
from tests.integration.conftest import submit

# Covers: exports (0), cooperative members with earlier loans (1, 5, 6, 10), non-members
# (2, 4), unrated marketplace months (0, 6), open-ended partnerships (4, 10), certificates
# without expiry (5, 6). test_the_payloads_cover_every_table checks that claim.
INDICES = (0, 1, 4, 5, 6, 10, 2)


def _payloads(population: Population) -> list[dict[str, Any]]:
    out = [copy.deepcopy(application_payload(population, i)) for i in INDICES]
    # The same enterprise again on the same day with another size: the stored profile then
    # holds the second size, and the first application must still get its own.
    again = copy.deepcopy(out[1])
    again["enterprise"].update(workers=17, assets=900_000_000, annual_sales=3_100_000_000)
    return [*out, again]


def _assert_same_batch(got: RawBatch, want: RawBatch) -> None:
    assert got.n == want.n
    for part in (
        "profiles",
        "transactions",
        "marketplace",
        "savings",
        "coop_loans",
        "certifications",
        "partnerships",
        "exports",
    ):
        g, w = getattr(got, part), getattr(want, part)
        for f in fields(w):
            a, b = getattr(g, f.name), getattr(w, f.name)
            assert a.dtype == b.dtype, (part, f.name, a.dtype, b.dtype)
            np.testing.assert_array_equal(a, b, err_msg=f"{part}.{f.name}")


def test_the_payloads_cover_every_table(population: Population) -> None:
    raw = parse_applications(_payloads(population))
    assert (raw.profiles.coop_member_since < 0).any() and (
        raw.profiles.coop_member_since >= 0
    ).any()
    assert np.isnan(raw.marketplace.rating).any()
    assert (raw.partnerships.until < 0).any() and (raw.certifications.expires < 0).any()
    for table in (raw.savings, raw.coop_loans, raw.exports, raw.transactions):
        assert len(table.app) > 0


def test_raw_batch_for_rebuilds_what_the_api_scored(
    client: FlaskClient, env: ApiEnv, session: Session, population: Population
) -> None:
    payloads = _payloads(population)
    ids = [submit(client, env, p) for p in payloads]
    # Ask in another order than submitted: row i must be the i-th id asked for.
    order = [3, 0, 7, 5, 1, 6, 2, 4]
    asked = [ids[k] for k in order]
    raw = raw_batch_for(session, asked)
    expected = parse_applications([payloads[k] for k in order])
    _assert_same_batch(raw, expected)

    got = compute_features(raw)
    want = compute_features(expected)
    np.testing.assert_array_equal(got.values, want.values)  # NaN where NaN, bit for bit
    np.testing.assert_array_equal(got.missing, want.missing)
    stored: dict[int, dict[str, Any]] = dict(
        session.execute(select(ScoreRecord.application_id, ScoreRecord.features)).all()
    )
    for row, app_id in enumerate(asked):
        recomputed = {
            n: None if np.isnan(v) else round(float(v), 6)
            for n, v in zip(got.names, got.values[row].tolist(), strict=True)
        }
        assert recomputed == stored[app_id]
    # the two applications of one enterprise kept their own sizes
    assert raw.profiles.workers[order.index(7)] == 17
    assert raw.profiles.workers[order.index(1)] == payloads[1]["enterprise"]["workers"] != 17


def test_chunked_queries_give_the_same_batch(
    client: FlaskClient,
    env: ApiEnv,
    session: Session,
    population: Population,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ids = [submit(client, env, p) for p in _payloads(population)[:5]]
    whole = raw_batch_for(session, ids)
    monkeypatch.setattr(rawdata, "CHUNK", 2)
    _assert_same_batch(raw_batch_for(session, ids), whole)


def test_raw_batch_for_refuses_unknown_and_repeated_ids(
    client: FlaskClient, env: ApiEnv, session: Session, population: Population
) -> None:
    app_id = submit(client, env, application_payload(population, 0))
    with pytest.raises(ValueError, match="no stored application"):
        raw_batch_for(session, [app_id, app_id + 1000])
    with pytest.raises(ValueError, match="distinct"):
        raw_batch_for(session, [app_id, app_id])
    assert raw_batch_for(session, []).n == 0


# --- outcome labels ------------------------------------------------------------------------

AS_OF = date(2026, 6, 30)


def _loan(session: Session, disbursed: date | None, *, confirmed: bool = True) -> tuple[int, int]:
    """A loan disbursed on ``disbursed`` (None: never); returns (loan id, application id)."""
    lender, program = core.lender(session), core.program(session)
    loan = core.loan(session, core.application(session, lender, program))
    if disbursed is not None:
        status = "confirmed" if confirmed else "pending"
        session.add(
            Disbursement(
                loan_id=loan.id, amount=loan.principal, disbursed_on=disbursed, status=status
            )
        )
        # a later tranche must not move the window's start
        session.add(
            Disbursement(
                loan_id=loan.id, amount=1, disbursed_on=add_months(disbursed, 2), status=status
            )
        )
    session.flush()
    return loan.id, loan.application_id


def _status(session: Session, loan_id: int, on: date, dpd: int) -> None:
    session.add(
        LoanStatus(
            loan_id=loan_id,
            as_of=on,
            dpd=dpd,
            collectibility=1,
            outstanding_principal=1,
            arrears=0,
            status="active",
        )
    )


def _write_off(session: Session, loan_id: int, on: date, status: str = "approved") -> None:
    maker, checker = user(session), user(session)
    session.add(
        WriteOff(
            loan_id=loan_id,
            amount=1,
            requested_on=on,
            requested_by=maker.id,
            approved_by=checker.id if status == "approved" else None,
            approved_on=on if status == "approved" else None,
            status=status,
            reason="test",
        )
    )


def test_outcome_labels_at_the_window_boundaries(session: Session) -> None:
    cases: dict[str, tuple[int, int]] = {}
    # window ends exactly on as_of, 90 dpd on its last day: observed and bad
    cases["bad_on_last_day"] = loan = _loan(session, date(2025, 6, 30))
    _status(session, loan[0], date(2026, 6, 30), 90)
    # 89 dpd inside the window, 120 only after as_of: good
    cases["good_89"] = loan = _loan(session, date(2025, 6, 30))
    _status(session, loan[0], date(2026, 6, 29), 89)
    _status(session, loan[0], date(2026, 7, 1), 120)
    # window ends one day after as_of: excluded however bad it already is
    cases["too_recent"] = loan = _loan(session, date(2025, 7, 1))
    _status(session, loan[0], date(2026, 1, 1), 200)
    # 95 dpd one day after the window: good
    cases["bad_after_window"] = loan = _loan(session, date(2025, 3, 15))
    _status(session, loan[0], date(2026, 3, 16), 95)
    # write-off approved on the window's last day: bad; only requested: good
    cases["written_off"] = loan = _loan(session, date(2025, 1, 31))
    _write_off(session, loan[0], date(2026, 1, 31))
    cases["write_off_pending"] = loan = _loan(session, date(2025, 1, 31))
    _write_off(session, loan[0], date(2025, 6, 1), status="pending")
    # 29 Feb + 12 months = 28 Feb: 90 dpd that day is inside the window
    cases["leap_day"] = loan = _loan(session, date(2024, 2, 29))
    _status(session, loan[0], date(2025, 2, 28), 90)
    # never disbursed, or disbursement never confirmed: not a loan outcome at all
    cases["never_disbursed"] = _loan(session, None)
    cases["unconfirmed"] = _loan(session, date(2024, 1, 10), confirmed=False)
    session.flush()

    got = outcome_labels(session, AS_OF)
    labels = dict(zip(got.application_ids.tolist(), got.bad.tolist(), strict=True))
    expected = {"bad_on_last_day": 1, "good_89": 0, "bad_after_window": 0, "written_off": 1,
                "write_off_pending": 0, "leap_day": 1}  # fmt: skip
    assert labels == {cases[k][1]: v for k, v in expected.items()}
    assert got.bad.dtype == np.int8 and list(got.application_ids) == sorted(got.application_ids)
    ends = dict(zip(got.application_ids.tolist(), got.observed_until.tolist(), strict=True))
    assert ends[cases["leap_day"][1]] == day_number(date(2025, 2, 28))
    assert ends[cases["bad_on_last_day"][1]] == day_number(AS_OF)
    assert outcome_counts(session, AS_OF) == type(outcome_counts(session, AS_OF))(
        disbursed=7, observed=6, excluded=1, bad=3
    )
    # a looser definition of bad turns the 89-dpd loan bad; a shorter window labels the
    # recent loan (its 200 dpd at month 6 is inside six months)
    loose = outcome_labels(session, AS_OF, bad_dpd=30)
    assert (
        dict(zip(loose.application_ids.tolist(), loose.bad.tolist(), strict=True))[
            cases["good_89"][1]
        ]
        == 1
    )
    short = outcome_labels(session, AS_OF, window_months=6)
    short_labels = dict(zip(short.application_ids.tolist(), short.bad.tolist(), strict=True))
    assert short_labels[cases["too_recent"][1]] == 1
    # nothing dated after the as-of date is read
    early = outcome_labels(session, date(2026, 3, 15))
    assert cases["bad_after_window"][1] in early.application_ids.tolist()
    assert cases["bad_on_last_day"][1] not in early.application_ids.tolist()


@given(st.dates(date(1990, 1, 1), date(2090, 12, 31)), st.integers(-30, 60))
def test_window_end_is_loanmath_add_months(start: date, months: int) -> None:
    got = window_end(np.array([day_number(start)], dtype=np.int64), months)
    assert int(got[0]) == day_number(add_months(start, months))

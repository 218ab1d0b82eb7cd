"""Loans and repayment behaviour: dates, installments, fractions, consistency with default."""

from __future__ import annotations

import numpy as np

from fixtures import Population
from fixtures.tables import LOAN_OUTCOMES
from scoring.raw import day_number, from_day_number

OUT = {name: i for i, name in enumerate(LOAN_OUTCOMES)}


def _paid_share(pop: Population) -> np.ndarray:
    """(loans x 72) matrix of the summed fractions paid per installment (computed here)."""
    lp = pop.loan_payments
    m = pop.loans.loan_id.size
    share = np.zeros((m, 73))
    np.add.at(share, (lp.loan_id - 1, lp.installment_no), lp.fraction)
    return share


def test_one_loan_per_approved_application(pop: Population) -> None:
    lo, a = pop.loans, pop.applications
    assert np.array_equal(lo.app, np.flatnonzero(a.approved))
    assert np.array_equal(lo.enterprise_id, a.enterprise_id[lo.app])
    assert np.array_equal(lo.loan_id, np.arange(1, lo.loan_id.size + 1))
    assert np.all(lo.principal <= a.requested_amount[lo.app])
    assert np.all(lo.principal >= 0.6 * a.requested_amount[lo.app])
    gap = lo.disbursed - a.applied[lo.app]
    assert gap.min() >= 0 and gap.max() <= 30


def test_rates_follow_kur_rules(pop: Population) -> None:
    lo = pop.loans
    access = pop.raw.profiles.kur_access_count[lo.app]
    supermikro = lo.program == "KUR-SUPERMIKRO"
    assert set(lo.annual_rate[supermikro]) == {"0.03"}
    expect = np.array(["0.06", "0.07", "0.08", "0.09"])[np.minimum(access, 3)]
    assert np.array_equal(lo.annual_rate[~supermikro], expect[~supermikro])


def test_payments_between_disbursement_and_as_of(pop: Population) -> None:
    lp, lo = pop.loan_payments, pop.loans
    disbursed = lo.disbursed[lp.loan_id - 1]
    assert np.all(lp.paid_day > disbursed)
    assert np.all(lp.paid_day <= day_number(pop.as_of))
    assert np.all((lp.fraction > 0) & (lp.fraction <= 1))
    limit = (lo.tenor_months + lo.extension_months)[lp.loan_id - 1]
    assert np.all((lp.installment_no >= 1) & (lp.installment_no <= limit))
    key = lp.loan_id * 100_000 + lp.paid_day
    assert np.all(np.diff(key) >= 0)


def test_fractions_never_exceed_one_installment(pop: Population) -> None:
    assert _paid_share(pop).max() <= 1.0 + 1e-9


def test_non_defaulters_pay_their_first_nine_installments(pop: Population) -> None:
    lo = pop.loans
    share = _paid_share(pop)
    good = ~pop.defaulted[lo.app]
    last = np.where(lo.prepaid_at_installment > 0, lo.prepaid_at_installment, 9)
    for k in range(1, 10):
        rows = good & (last >= k)
        assert np.allclose(share[rows, k], 1.0), k


def test_defaulters_stop_early_enough_for_90_dpd_in_12_months(pop: Population) -> None:
    lo = pop.loans
    share = _paid_share(pop)
    bad = np.flatnonzero(pop.defaulted[lo.app])
    assert bad.size > 20
    for i in bad:
        unpaid = np.flatnonzero(share[i, 1:] < 1.0 - 1e-9) + 1
        first_unpaid = int(unpaid[0])
        # due date of that installment (calendar months, Python dates), + 90 days
        d = from_day_number(int(lo.disbursed[i]))
        y, m = divmod(d.month - 1 + first_unpaid, 12)
        due = day_number(d.replace(year=d.year + y, month=m + 1, day=min(d.day, 28)))
        assert due + 90 <= lo.disbursed[i] + 365 + 3
        assert lo.outcome[i] in (OUT["defaulted"], OUT["written_off"])


def test_outcome_mix_has_every_kind(pop: Population) -> None:
    lo = pop.loans
    counts = np.bincount(lo.outcome, minlength=len(LOAN_OUTCOMES))
    assert np.all(counts > 0), dict(zip(LOAN_OUTCOMES, counts, strict=True))
    assert counts[OUT["on_time"]] / counts.sum() > 0.4
    pre = lo.outcome == OUT["prepaid"]
    assert np.all(lo.prepaid_at_installment[pre] >= 3)
    assert np.all(lo.prepaid_at_installment[~pre] == -1)
    res = lo.outcome == OUT["restructured"]
    assert np.all((lo.grace_months[res] >= 1) & (lo.extension_months[res] >= 6))
    wo = lo.outcome == OUT["written_off"]
    assert np.all(lo.written_off_day[wo] > lo.disbursed[wo])
    assert np.all(lo.written_off_day[wo] <= day_number(pop.as_of))
    assert np.all(lo.written_off_day[~wo] == -1)


def test_loans_still_outstanding_at_as_of(pop: Population) -> None:
    """PAR and collectibility need loans running at as_of: long tenors and arrears."""
    lo = pop.loans
    months_on_book = (day_number(pop.as_of) - lo.disbursed) / 30.44
    running = lo.tenor_months > months_on_book
    assert running.mean() > 0.3
    in_arrears = np.isin(lo.outcome, [OUT["defaulted"]]) & running
    assert in_arrears.sum() > 10

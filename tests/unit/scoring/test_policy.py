"""Program rules: KUR defaults, annuity arithmetic, named rule results, recommendations."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from loanmath.schedule import affordable_principal, annuity_installment
from scoring.policy import AMOUNT_STEP, PolicyFacts, evaluate_policy, kur_defaults

SUPER, MIKRO, KECIL = kur_defaults()
GOOD = PolicyFacts(
    business_age_months=40.0,
    entrepreneurship_training=False,
    other_productive_credit=False,
    kbli_division=10,
    kur_access_count=0,
    avg_monthly_net_inflow=10_000_000.0,
)


def test_kur_defaults_match_the_design() -> None:
    assert [p.code for p in kur_defaults()] == ["KUR-SUPERMIKRO", "KUR-MIKRO", "KUR-KECIL"]
    assert (SUPER.plafond_max, SUPER.rate_by_access) == (10_000_000, (Decimal("0.03"),))
    assert (MIKRO.plafond_min, MIKRO.plafond_max) == (10_000_001, 100_000_000)
    assert (KECIL.plafond_min, KECIL.plafond_max) == (100_000_001, 500_000_000)
    assert [MIKRO.rate_for(k) for k in range(6)] == [
        Decimal(x) for x in ("0.06", "0.07", "0.08", "0.09", "0.09", "0.09")
    ]
    assert MIKRO.guarantee_coverage == Decimal("0.70") and MIKRO.collateral_threshold == 100_000_000


def test_annuity_is_the_kur_worked_example() -> None:
    # 6% a year is 0.5% a month on the declining balance (not (1.06)^(1/12) - 1):
    # 50,000,000 * 0.005 / (1 - 1.005^-24) = 2,216,030.6...; half up -> 2,216,031
    expected = 50_000_000 * 0.005 / (1 - 1.005**-24)
    assert 2_216_030.5 < expected < 2_216_031.0
    assert annuity_installment(50_000_000, Decimal("0.06"), 24) == 2_216_031
    assert annuity_installment(1_200_000, Decimal(0), 12) == 100_000


@given(
    st.integers(1_000_000, 500_000_000),
    st.sampled_from(["0.03", "0.06", "0.07", "0.09"]),
    st.integers(1, 60),
)
def test_installment_pays_off_the_loan(principal: int, rate: str, tenor: int) -> None:
    # replay the schedule as a lender books it: interest = balance * rate / 12 rounded half up,
    # the last installment takes whatever is left; it differs from the others by pennies only
    r = Decimal(rate)
    inst = annuity_installment(principal, r, tenor)
    balance = principal
    for _ in range(tenor - 1):
        interest = int((balance * r / 12).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        assert 0 < inst - interest < balance
        balance -= inst - interest
    last = balance + int((balance * r / 12).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    assert abs(last - inst) <= tenor  # at most about a Rupiah of rounding per month


@given(st.integers(10_000, 50_000_000), st.integers(3, 60))
def test_affordable_principal_is_the_largest_affordable(installment: int, tenor: int) -> None:
    r = Decimal("0.07")
    p = affordable_principal(Decimal(installment), r, tenor)
    assert annuity_installment(p, r, tenor) <= installment + 1
    assert annuity_installment(p + 1000, r, tenor) > installment


def _rules(outcome: object) -> dict[str, bool]:
    return {r.rule: r.passed for r in outcome.rules}  # type: ignore[attr-defined]


def test_good_applicant_is_approved_with_a_round_amount() -> None:
    out = evaluate_policy(MIKRO, GOOD, 0.02, "A", 50_000_000, 24, "working_capital")
    assert out.recommendation == "approve"
    assert all(_rules(out).values())
    assert out.recommended_amount == 50_000_000 and out.recommended_tenor_months == 24
    assert out.installment == annuity_installment(50_000_000, Decimal("0.06"), 24)


def test_unaffordable_request_is_referred_with_a_smaller_amount() -> None:
    facts = PolicyFacts(**{**GOOD.__dict__, "avg_monthly_net_inflow": 3_000_000.0})
    out = evaluate_policy(MIKRO, facts, 0.02, "A", 100_000_000, 24, "working_capital")
    assert out.recommendation == "refer" and not _rules(out)["affordability"]
    max_installment = Decimal("0.35") * 3_000_000
    assert out.recommended_amount % AMOUNT_STEP == 0
    assert annuity_installment(out.recommended_amount, Decimal("0.06"), 24) <= max_installment
    assert (
        annuity_installment(out.recommended_amount + AMOUNT_STEP, Decimal("0.06"), 24)
        > max_installment
    )


def test_hard_stops_decline_each_with_its_own_rule() -> None:
    young = PolicyFacts(**{**GOOD.__dict__, "business_age_months": 4.0})
    out = evaluate_policy(MIKRO, young, 0.02, "A", 20_000_000, 12, "working_capital")
    assert out.recommendation == "decline" and not _rules(out)["business_age"]
    trained = PolicyFacts(**{**young.__dict__, "entrepreneurship_training": True})
    assert (
        evaluate_policy(MIKRO, trained, 0.02, "A", 20_000_000, 12, "working_capital").recommendation
        == "approve"
    )
    indebted = PolicyFacts(**{**GOOD.__dict__, "other_productive_credit": True})
    out = evaluate_policy(MIKRO, indebted, 0.02, "A", 20_000_000, 12, "working_capital")
    assert out.recommendation == "decline" and not _rules(out)["no_other_productive_credit"]


def test_risk_bands_refer_and_decline() -> None:
    assert (
        evaluate_policy(MIKRO, GOOD, 0.2, "D", 20_000_000, 12, "working_capital").recommendation
        == "refer"
    )
    assert (
        evaluate_policy(MIKRO, GOOD, 0.4, "E", 20_000_000, 12, "working_capital").recommendation
        == "decline"
    )


def test_collateral_flag_above_the_threshold() -> None:
    rich = PolicyFacts(**{**GOOD.__dict__, "avg_monthly_net_inflow": 80_000_000.0})
    out = evaluate_policy(KECIL, rich, 0.02, "A", 150_000_000, 36, "investment")
    assert out.collateral_may_be_required and out.recommendation == "approve"


NO_HISTORY = PolicyFacts(**{**GOOD.__dict__, "avg_monthly_net_inflow": float("nan")})


@given(st.integers(21, 200).map(lambda k: k * AMOUNT_STEP), st.integers(6, 36))
def test_no_transaction_history_is_referred_not_declined(amount: int, tenor: int) -> None:
    out = evaluate_policy(MIKRO, NO_HISTORY, 0.03, "B", amount, tenor, "working_capital")
    assert out.recommendation == "refer"
    assert out.recommended_amount == min(amount, MIKRO.plafond_max)
    assert out.installment_share is None
    rule = next(r for r in out.rules if r.rule == "affordability")
    assert not rule.passed
    assert "tidak dinilai" in rule.reason_id and "tidak ada riwayat transaksi" in rule.reason_id
    assert "not evaluated" in rule.reason_en and "no transaction history" in rule.reason_en


def test_no_history_still_declines_on_hard_stops_and_band_e() -> None:
    young = PolicyFacts(**{**NO_HISTORY.__dict__, "business_age_months": 2.0})
    out = evaluate_policy(MIKRO, young, 0.03, "B", 20_000_000, 12, "working_capital")
    assert (out.recommendation, out.recommended_amount) == ("decline", 0)
    out = evaluate_policy(MIKRO, NO_HISTORY, 0.5, "E", 20_000_000, 12, "working_capital")
    assert (out.recommendation, out.recommended_amount) == ("decline", 0)


def test_negative_cash_flow_history_is_still_declined() -> None:
    # history that shows money going out is evidence, unlike no history at all
    losing = PolicyFacts(**{**GOOD.__dict__, "avg_monthly_net_inflow": -500_000.0})
    out = evaluate_policy(MIKRO, losing, 0.03, "B", 20_000_000, 12, "working_capital")
    assert (out.recommendation, out.recommended_amount) == ("decline", 0)

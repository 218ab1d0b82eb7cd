"""Program eligibility, affordability, and the recommendation (approve / refer / decline).

Programs are configuration (the database stores ``ProgramRules`` values); ``kur_defaults``
gives the KUR segments of DESIGN.md. Each rule is a named ``RuleResult`` with its own reason
in both languages, so an officer sees exactly which rule stopped an application. Money is whole
Rupiah (int), rates are ``Decimal`` and every rounding is explicit.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal

from loanmath.schedule import affordable_principal, annuity_installment
from scoring.textfmt import rupiah

AMOUNT_STEP = 500_000  # recommended amounts are rounded down to Rp 500.000
DECLINE_BANDS: frozenset[str] = frozenset({"E"})
REFER_BANDS: frozenset[str] = frozenset({"D"})
PURPOSES: tuple[str, ...] = ("working_capital", "investment")


@dataclass(frozen=True)
class ProgramRules:
    """One credit program's rules (field names match the database columns)."""

    code: str
    name: str
    segment: str  # "super_mikro" | "mikro" | "kecil"
    plafond_min: int
    plafond_max: int
    rate_by_access: tuple[Decimal, ...]  # nominal annual rate (/ 12 a month), by access
    max_tenor_working_capital: int
    max_tenor_investment: int
    min_business_age_months: int = 6
    min_business_age_months_trained: int = 3
    allow_other_productive_credit: bool = False
    eligible_kbli_divisions: tuple[int, ...] = ()  # empty = every division
    collateral_threshold: int = 100_000_000
    max_installment_share: Decimal = Decimal("0.35")
    guarantee_coverage: Decimal = Decimal("0.70")

    def rate_for(self, earlier_accesses: int) -> Decimal:
        """Return the rate of the next loan after ``earlier_accesses`` earlier ones."""
        return self.rate_by_access[min(max(earlier_accesses, 0), len(self.rate_by_access) - 1)]


def kur_defaults() -> tuple[ProgramRules, ...]:
    """Return the KUR Super Mikro, Mikro and Kecil programs (Permenko 1/2022 as amended).

    Returns:
        The three default programs; tenors 36 months working capital / 60 investment.
    """
    step = (Decimal("0.06"), Decimal("0.07"), Decimal("0.08"), Decimal("0.09"))
    return (
        ProgramRules("KUR-SUPERMIKRO", "KUR Super Mikro", "super_mikro", 1, 10_000_000,
                     (Decimal("0.03"),), 36, 60),
        ProgramRules("KUR-MIKRO", "KUR Mikro", "mikro", 10_000_001, 100_000_000, step, 36, 60),
        ProgramRules("KUR-KECIL", "KUR Kecil", "kecil", 100_000_001, 500_000_000, step, 36, 60),
    )  # fmt: skip


@dataclass(frozen=True)
class PolicyFacts:
    """The facts about an applicant that the rules read (from the raw batch and features)."""

    business_age_months: float
    entrepreneurship_training: bool
    other_productive_credit: bool
    kbli_division: int
    kur_access_count: int
    avg_monthly_net_inflow: float  # NaN when there is no transaction history


@dataclass(frozen=True)
class RuleResult:
    """One rule's verdict with its reason in Bahasa Indonesia and English."""

    rule: str
    passed: bool
    reason_id: str
    reason_en: str


@dataclass(frozen=True)
class PolicyOutcome:
    """Rules, affordability and the recommendation for one application and program."""

    program: str
    rules: tuple[RuleResult, ...]
    recommendation: str  # "approve" | "refer" | "decline"
    recommended_amount: int
    recommended_tenor_months: int
    rate: Decimal
    installment: int  # at the requested amount and tenor, whole Rupiah (half up)
    installment_share: Decimal | None  # installment / average monthly net inflow, 4 decimals
    collateral_may_be_required: bool

    def to_dict(self) -> dict[str, object]:
        """Return the outcome as JSON values (Decimals as strings)."""
        return {
            "program": self.program,
            "rules": [r.__dict__ for r in self.rules],
            "recommendation": self.recommendation,
            "recommended_amount": self.recommended_amount,
            "recommended_tenor_months": self.recommended_tenor_months,
            "rate": str(self.rate),
            "installment": self.installment,
            "installment_share": None if self.installment_share is None
            else str(self.installment_share),
            "collateral_may_be_required": self.collateral_may_be_required,
        }  # fmt: skip


@functools.lru_cache(maxsize=64)  # a program's limits: the same few pairs on every request
def _plafond_texts(plafond_min: int, plafond_max: int) -> tuple[str, str]:
    return (
        f"Plafon program {rupiah(plafond_min, 'id')} - {rupiah(plafond_max, 'id')}",
        f"Program limits {rupiah(plafond_min, 'en')} - {rupiah(plafond_max, 'en')}",
    )


def evaluate_policy(
    rules: ProgramRules,
    facts: PolicyFacts,
    pd: float,
    band: str,
    requested_amount: int,
    tenor_months: int,
    purpose: str,
) -> PolicyOutcome:
    """Apply a program's rules to one scored application.

    Hard stops and band E decline. An applicant without transaction history cannot be tested
    for affordability: that rule reads "not evaluated" (``passed`` false) and the application
    is referred to an officer with the requested amount (within the program limits), never
    declined for the missing data alone.

    Args:
        rules: the program.
        facts: the applicant's facts (``scoring.result.policy_facts`` builds them).
        pd: calibrated probability of default (recorded in the reasons of the band rule).
        band: risk band letter.
        requested_amount: Rp.
        tenor_months: requested tenor.
        purpose: ``working_capital`` or ``investment``.

    Returns:
        The named rule results, the recommendation and the recommended amount and tenor.
    """
    results: list[RuleResult] = []

    def rule(name: str, passed: bool, text_id: str, text_en: str) -> bool:
        results.append(RuleResult(name, passed, text_id, text_en))
        return passed

    min_age = (
        rules.min_business_age_months_trained
        if facts.entrepreneurship_training
        else rules.min_business_age_months
    )
    age = int(facts.business_age_months)
    hard_ok = rule(
        "business_age",
        facts.business_age_months >= min_age,
        f"Usaha berjalan {age} bulan (minimal {min_age} bulan)",
        f"Business running {age} months (minimum {min_age})",
    )
    hard_ok &= rule(
        "no_other_productive_credit",
        rules.allow_other_productive_credit or not facts.other_productive_credit,
        "Tidak boleh memiliki kredit produktif lain"
        if facts.other_productive_credit
        else "Tidak ada kredit produktif lain",
        "Another productive loan is not allowed"
        if facts.other_productive_credit
        else "No other productive loan",
    )
    kbli_ok = (
        not rules.eligible_kbli_divisions or facts.kbli_division in rules.eligible_kbli_divisions
    )
    hard_ok &= rule(
        "kbli_eligible",
        kbli_ok,
        f"Sektor KBLI {facts.kbli_division:02d} "
        + ("memenuhi" if kbli_ok else "tidak termasuk")
        + " program",
        f"KBLI division {facts.kbli_division:02d} is "
        + ("" if kbli_ok else "not ")
        + "eligible for the program",
    )
    max_tenor = (
        rules.max_tenor_investment if purpose == "investment" else rules.max_tenor_working_capital
    )
    tenor = min(tenor_months, max_tenor)
    soft_ok = rule(
        "tenor",
        tenor_months <= max_tenor,
        f"Tenor {tenor_months} bulan (maksimal {max_tenor})",
        f"Tenor {tenor_months} months (maximum {max_tenor})",
    )
    in_plafond = rules.plafond_min <= requested_amount <= rules.plafond_max
    soft_ok &= rule("plafond", in_plafond, *_plafond_texts(rules.plafond_min, rules.plafond_max))
    rate = rules.rate_for(facts.kur_access_count)
    installment = annuity_installment(requested_amount, rate, tenor)
    has_history = facts.avg_monthly_net_inflow == facts.avg_monthly_net_inflow  # NaN: none
    net = Decimal(repr(facts.avg_monthly_net_inflow)) if has_history else Decimal(0)
    share = (Decimal(installment) / net).quantize(Decimal("0.0001")) if net > 0 else None
    limit = rules.max_installment_share
    affordable = share is not None and share <= limit
    share_text = "-" if share is None else f"{share * 100:.1f}%"
    if has_history:
        soft_ok &= rule(
            "affordability",
            affordable,
            f"Angsuran {rupiah(installment, 'id')} = {share_text.replace('.', ',')} "
            f"dari arus kas bersih bulanan (maks. {limit * 100:.0f}%)",
            f"Installment {rupiah(installment, 'en')} = {share_text} of monthly net "
            f"cash flow (max {limit * 100:.0f}%)",
        )
    else:  # nothing to measure the installment against: a person has to look, not a rule
        soft_ok &= rule(
            "affordability",
            False,
            f"Keterjangkauan tidak dinilai: tidak ada riwayat transaksi (angsuran "
            f"{rupiah(installment, 'id')})",
            f"Affordability not evaluated: no transaction history (installment "
            f"{rupiah(installment, 'en')})",
        )
    risk_ok = band not in DECLINE_BANDS and band not in REFER_BANDS
    rule(
        "risk_band",
        risk_ok,
        f"Kelas risiko {band} (PD {pd * 100:.1f}%)".replace(".", ","),
        f"Risk band {band} (PD {pd * 100:.1f}%)",
    )
    collateral = requested_amount > rules.collateral_threshold
    if has_history:
        max_affordable = affordable_principal(max(net, Decimal(0)) * limit, rate, tenor)
    else:  # no cash flow to cap it: the officer weighs the request within the program limits
        max_affordable = requested_amount
    amount = min(max_affordable, rules.plafond_max, requested_amount)
    amount -= amount % AMOUNT_STEP
    if not hard_ok or band in DECLINE_BANDS or amount < rules.plafond_min:
        decision, amount = "decline", 0
    elif soft_ok and risk_ok:
        decision = "approve"
    else:
        decision = "refer"
    return PolicyOutcome(
        rules.code,
        tuple(results),
        decision,
        max(amount, 0),
        tenor,
        rate,
        installment,
        share,
        collateral,
    )

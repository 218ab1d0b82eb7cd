"""Forms of the program administration pages: one field per program term, a quota, and the
program itself. Fields are plain text (rates as decimals, lists comma-separated) so every
form works without JavaScript; the service (``program_terms.validate_terms``) checks the
values and its errors are shown beside the field they name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from loanmath.allocation import PREPAYMENT_MODES
from loanmath.schedule import DAY_COUNTS, METHODS

from ..models.program import SEGMENTS, SUBSIDY_BASES, SUBSIDY_FREQUENCIES
from .i18n import lang, rupiah

# (name, label, hint) for each term; the order is the form's.
TERM_LABELS: tuple[tuple[str, Any, Any], ...] = (
    ("plafond_min", _l("Smallest loan (Rupiah)"), None),
    ("plafond_max", _l("Largest loan (Rupiah)"), None),
    ("rate_by_access", _l("Borrower rate by access"),
     _l("Annual rates as decimals for the 1st, 2nd, ... loan, comma-separated: 0.06, 0.07")),
    ("subsidy_rate_by_access", _l("Subsidy rate by access"), _l("As above, e.g. 0.10, 0.09")),
    ("max_tenor_working_capital", _l("Longest tenor, working capital (months)"), None),
    ("max_tenor_investment", _l("Longest tenor, investment (months)"), None),
    ("max_grace_months", _l("Longest principal grace (months)"), None),
    ("min_business_age_months", _l("Least business age (months)"), None),
    ("min_business_age_months_trained", _l("Least business age after training (months)"), None),
    ("allow_other_productive_credit", _l("Other productive credit allowed"), None),
    ("eligible_kbli_divisions", _l("Eligible KBLI divisions"),
     _l("Two-digit divisions, comma-separated; empty for every division")),
    ("collateral_threshold", _l("No extra collateral up to (Rupiah)"), None),
    ("max_installment_share", _l("Largest instalment share of net inflow"), _l("e.g. 0.35")),
    ("guarantee_coverage", _l("Guarantee coverage"), _l("Share of the loss, e.g. 0.70")),
    ("interest_method", _l("Interest method"), None),
    ("allocation_order", _l("Repayment allocation order"),
     _l("penalty, interest, principal in the order paid")),
    ("prepayment_mode", _l("Prepayment"), None),
    ("penalty_daily_rate", _l("Penalty rate per day"), _l("e.g. 0.0005; 0 for none")),
    ("day_count", _l("Day count"), None),
    ("subsidy_max_grade", _l("Subsidy up to collectibility"), _l("Kol 1-5")),
    ("subsidy_after_maturity", _l("Subsidy after maturity"), None),
    ("subsidy_basis", _l("Subsidy basis"), None),
    ("subsidy_frequency", _l("Subsidy claimed"), None),
    ("claim_grade", _l("Guarantee claim from collectibility"), _l("Kol 2-5")),
    ("claim_on_arrears_at_maturity", _l("Guarantee claim on arrears at maturity"), None),
    ("write_off_grade", _l("Write-off without override from collectibility"), _l("Kol 2-5")),
)  # fmt: skip
BOOLEAN_TERMS = {
    "allow_other_productive_credit",
    "subsidy_after_maturity",
    "claim_on_arrears_at_maturity",
}
CHOICES = {
    "interest_method": METHODS,
    "prepayment_mode": PREPAYMENT_MODES,
    "day_count": DAY_COUNTS,
    "subsidy_basis": SUBSIDY_BASES,
    "subsidy_frequency": SUBSIDY_FREQUENCIES,
}
CHOICE_LABELS = {
    "annuity": _l("Annuity (equal instalments)"),
    "equal_principal": _l("Equal principal"),
    "flat": _l("Flat"),
    "shorten_tenor": _l("Shorten the tenor"),
    "reduce_installment": _l("Reduce the instalment"),
    "30/360": "30/360",
    "actual/365": _l("Actual/365"),
    "average_outstanding": _l("Average outstanding principal"),
    "monthly": _l("Monthly"),
}


def _term_field(name: str, label: Any, hint: Any) -> Field:
    kwargs = {"description": hint or ""}
    if name in BOOLEAN_TERMS:
        return BooleanField(label, **kwargs)
    if name in CHOICES:
        return SelectField(
            label,
            choices=[SelectChoice(c, CHOICE_LABELS.get(c, c)) for c in CHOICES[name]],
            **kwargs,
        )
    return StringField(label, **kwargs)


class ConfirmMixin:
    """A hidden ``confirmed``: the first POST shows what changes, the second applies it."""

    confirmed = HiddenField()


class TermsForm(FlaskForm, ConfirmMixin):  # type: ignore[misc]  # Flask-WTF ships no hints
    effective_from = StringField(_l("In force from"), description=_l("YYYY-MM-DD"))


class ProgramForm(FlaskForm, ConfirmMixin):  # type: ignore[misc]  # Flask-WTF ships no hints
    code = StringField(_l("Code"), description=_l("Capitals, digits and hyphens: KUR-MIKRO"))
    name = StringField(_l("Name"))
    segment = SelectField(_l("Segment"), choices=[SelectChoice(s, s) for s in SEGMENTS])
    active_from = StringField(_l("Active from"), description=_l("YYYY-MM-DD"))
    active_to = StringField(_l("Active until"), description=_l("YYYY-MM-DD; empty: open"))
    quota_total = StringField(_l("Total quota (Rupiah)"), description=_l("Empty: no total"))


for _name, _label, _hint in TERM_LABELS:
    setattr(TermsForm, _name, _term_field(_name, _label, _hint))
    setattr(ProgramForm, _name, _term_field(_name, _label, _hint))

TERM_NAMES = tuple(name for name, _, _ in TERM_LABELS)
RATE_TERMS = frozenset(
    {
        "rate_by_access",
        "subsidy_rate_by_access",
        "max_installment_share",
        "guarantee_coverage",
        "penalty_daily_rate",
    }
)
MONEY_TERMS = frozenset({"plafond_min", "plafond_max", "collateral_threshold"})


def as_percent(value: object, decimal_mark: str) -> str:
    """A stored rate as the percentage people read: ``0.06`` -> ``6%``, ``0.0005`` -> ``0,05%``.

    Decimal keeps exactly the digits stored (a float would show ``0.7`` as ``70.00000001%``).
    """
    shown = format((Decimal(str(value)) * 100).normalize(), "f")
    return shown.replace(".", decimal_mark) + "%"


def term_text(name: str, value: Any) -> str:
    """One term as the program page shows it (rates in %, money in Rupiah, choices named)."""
    if value is None or value == [] or value == "":
        return "–"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if name in MONEY_TERMS:
        return str(rupiah(value))
    if name in RATE_TERMS:
        values = value if isinstance(value, list) else [value]
        mark = "," if lang() == "id" else "."
        return ", ".join(as_percent(v, mark) for v in values)
    if name in ("subsidy_max_grade", "claim_grade", "write_off_grade"):
        return f"Kol {value}"
    if isinstance(value, list):
        return ", ".join(str(CHOICE_LABELS.get(str(v), v)) for v in value)
    return str(CHOICE_LABELS.get(str(value), value))


class QuotaForm(FlaskForm, ConfirmMixin):  # type: ignore[misc]  # Flask-WTF ships no hints
    lender = SelectField(_l("Lender"))  # codes; choices set by the view
    segment = SelectField(_l("Segment"), choices=[SelectChoice(s, s) for s in SEGMENTS])
    year = StringField(_l("Year"))
    quota = StringField(_l("Quota (Rupiah)"), description=_l("Whole Rupiah, e.g. 5.000.000.000"))


def terms_from(form: FlaskForm) -> dict[str, Any]:
    """The term values of a form as the service reads them."""
    return {name: getattr(form, name).data for name in TERM_NAMES}


def fill_terms(form: FlaskForm, values: dict[str, Any]) -> None:
    """Prefill the term fields from a version (lists joined with commas)."""
    for name in TERM_NAMES:
        value = values.get(name)
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value)
        elif value is not None and name not in BOOLEAN_TERMS and name not in CHOICES:
            value = str(value)
        getattr(form, name).data = value

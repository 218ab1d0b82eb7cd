"""Forms of the loan page and the collection sheet (CSRF on each, Flask-WTF).

Amounts are typed as people write Rupiah (``1.250.000``, ``Rp 1.250.000``); a form that
moves money carries a one-time ``token`` made when the form was shown, which becomes the
service's idempotency key: the same form sent twice (a double click, a reload) is stored
once. A refusal from a service comes back on the field it names, in the user's language
where the reason is one of the known ones (``explain``).
"""

from __future__ import annotations

import re
import secrets
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Regexp,
    ValidationError,
)
from wtforms.validators import Optional as OptionalValue

from loanmath.rupiah import parse_rupiah

from ..errors import DomainError
from ..services.loans.requests import MAX_MONTHS

REQUIRED = _l("This field is required.")
TOKEN = re.compile(r"^[0-9a-f]{32}$")
CHANNELS = ("cash", "bank_transfer", "qris", "ewallet")


def new_token() -> str:
    """A fresh one-time form token (128 random bits, hex)."""
    return secrets.token_hex(16)


class RupiahAmount:
    """Validator: a whole Rupiah amount above 0; the value is left on ``field.amount``."""

    def __call__(self, form: Any, field: Any) -> None:
        try:
            value = parse_rupiah(field.data or "")
        except ValueError:
            raise ValidationError(
                _("Enter a whole Rupiah amount, for example 1.250.000.")
            ) from None
        if value <= 0:
            raise ValidationError(_("Enter an amount greater than 0."))
        field.amount = value


class RateInPercent:
    """Validator: an optional yearly rate in percent (``6`` or ``5,5``), left on ``field.rate``
    as a fraction (``0.055``)."""

    def __call__(self, form: Any, field: Any) -> None:
        field.rate = None
        text = (field.data or "").strip().replace(",", ".").rstrip("%").strip()
        if not text:
            return
        try:
            percent = Decimal(text)
        except InvalidOperation:
            raise ValidationError(
                _("Enter a yearly rate in percent, for example 6 or 5,5.")
            ) from None
        if not percent.is_finite() or not Decimal(0) <= percent < 100:
            raise ValidationError(_("Enter a rate from 0 to below 100 percent."))
        field.rate = (percent / 100).quantize(Decimal("0.000001"))


def _token_field() -> HiddenField:
    return HiddenField(validators=[Regexp(TOKEN, message=_l("The form expired: please reload."))])


class RepaymentForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    amount = StringField(_l("Amount received"), validators=[DataRequired(REQUIRED), RupiahAmount()])
    paid_on = DateField(_l("Paid on"), validators=[InputRequired(REQUIRED)])
    channel = SelectField(
        _l("Paid by"),
        choices=[
            SelectChoice("cash", _l("Cash")),
            SelectChoice("bank_transfer", _l("Bank transfer")),
            SelectChoice("qris", _l("QRIS")),
            SelectChoice("ewallet", _l("E-wallet")),
        ],
    )
    apply_as = SelectField(
        _l("Money beyond what is due"),
        choices=[
            SelectChoice("auto", _l("Settle the next instalment, prepay the rest")),
            SelectChoice("advance", _l("Settle later instalments in order")),
            SelectChoice("prepayment", _l("Prepay principal")),
        ],
    )
    token = _token_field()


class DisbursementForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    amount = StringField(
        _l("Amount to pay out"), validators=[DataRequired(REQUIRED), RupiahAmount()]
    )
    disbursed_on = DateField(_l("Value date"), validators=[InputRequired(REQUIRED)])
    token = _token_field()


class ConfirmForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """A button that confirms or approves (the CSRF token is its only field)."""


class RestructuringForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    effective_on = DateField(_l("Effective from"), validators=[InputRequired(REQUIRED)])
    grace_months = IntegerField(
        _l("Grace months (interest only)"),
        default=0,
        validators=[InputRequired(REQUIRED), NumberRange(0, MAX_MONTHS, _l("From 0 to 60."))],
    )
    extension_months = IntegerField(
        _l("Months added to the tenor"),
        default=0,
        validators=[InputRequired(REQUIRED), NumberRange(0, MAX_MONTHS, _l("From 0 to 60."))],
    )
    new_rate = StringField(
        _l("New yearly rate in percent (optional)"), validators=[RateInPercent()]
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=500)])


class WriteOffForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(REQUIRED), Length(max=500)])
    override_reason = TextAreaField(
        _l("Why before Kol 5 (Macet)? (only for a loan at a better grade)"),
        validators=[OptionalValue(), Length(max=500)],
    )


class RejectForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    note = TextAreaField(
        _l("Why it is rejected"),
        validators=[DataRequired(REQUIRED), Length(max=500)],
    )


class SheetFilterForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """The area of a collection sheet (GET, so it has no CSRF token)."""

    class Meta:
        csrf = False

    regency = StringField(
        _l("Regency code"),
        validators=[OptionalValue(), Regexp(r"^\d{4}$", message=_l("Four digits, e.g. 3204."))],
    )
    village = StringField(_l("Village"), validators=[OptionalValue(), Length(max=100)])


# Reasons the services give (English, for the API) and what an officer reads instead.
# Matched by the start of the text, since some carry a figure or a date at the end.
_KNOWN = (
    ("a reason is required", _l("A reason is required.")),
    ("must be greater than 0", _l("Enter an amount greater than 0.")),
    ("must be a whole number of Rupiah", _l("Enter a whole Rupiah amount.")),
    ("is not a whole Rupiah amount", _l("Enter a whole Rupiah amount, for example 1.250.000.")),
    ("is implausibly large", _l("This amount is implausibly large: check the digits.")),
    ("appears twice on the sheet", _l("This loan appears twice on the sheet.")),
    ("must not be after the business date", _l("Must not be after today's business date.")),
    ("must not be before the first disbursement", _l("Must not be before the disbursement.")),
    ("must not be before the last repayment", _l("Must not be before the last repayment.")),
    ("must not be before the approval", _l("Must not be before the approval of the loan.")),
    ("must not be before the request date", _l("Must not be before the request date.")),
    ("the loan has not been disbursed", _l("The loan has not been disbursed yet.")),
    ("the loan is closed", _l("The loan is closed.")),
    ("the loan is written off", _l("The loan is written off.")),
    ("the loan is kol", _l("The loan is not at Kol 5 (Macet): say why it is written off now.")),
    ("exceeds the approved principal", _l("More than the approved principal still to pay out.")),
    (
        "a further tranche after an installment",
        _l("No further tranche once an instalment fell due."),
    ),
    ("the maker cannot", _l("A second officer must do this, not the one who asked.")),
    (
        "already used for a different",
        _l("This form was already sent with other values: reload it."),
    ),
    ("only an active loan", _l("Only an active loan can get this.")),
    ("nothing is left to restructure", _l("Nothing is left to restructure.")),
    ("give a grace period, an extension", _l("Give a grace period, an extension or a new rate.")),
    ("no loan", _l("No such loan.")),
)


def explain(reason: str) -> str:
    """The officer's words for a service's reason (the reason itself when it is not known)."""
    lowered = reason.lower()
    for start, text in _KNOWN:
        if lowered.startswith(start.lower()):
            return str(text)
    return reason


def put_errors(form: FlaskForm, exc: DomainError, fields: dict[str, str] | None = None) -> None:
    """Show a service's refusal beside the fields it names (else at the top of the form).

    Args:
        form: the form shown again.
        exc: the refusal; its ``errors`` map the service's field names to reasons.
        fields: service field name -> form field name, where they differ.
    """
    fields = fields or {}
    errors = exc.errors or {"": [exc.message]}
    for name, reasons in errors.items():
        field: Any = getattr(form, fields.get(name, name), None)
        texts = [explain(reason) for reason in reasons]
        if field is None or not hasattr(field, "errors"):
            form.form_errors.extend(texts)
            continue
        # WTForms keeps a field's errors in a tuple until the field was validated
        field.errors = [*field.errors, *texts]

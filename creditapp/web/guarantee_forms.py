"""Forms of the guarantee pages (claim decisions, IJP, subrogation, guarantor set-up), each a
CSRF-protected POST form, and the managers' words for the guarantee services' refusals."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from ..errors import DomainError
from ..services.claims.guarantees import MAX_IJP_RATE
from .claims_forms import _KNOWN as CLAIM_REASONS
from .claims_forms import REQUIRED, known_reason, translated_errors
from .loan_forms import RupiahAmount

MAX_IJP_PERCENT = MAX_IJP_RATE * 100  # 20 %
MAX_32, MAX_200 = _l("From 1 to 32 characters."), _l("From 1 to 200 characters.")
MAX_500 = _l("At most 500 characters.")


class DayField(DateField):  # type: ignore[misc]  # WTForms' fields are untyped
    """A date (``YYYY-MM-DD``, as a date input sends it) whose refusal is in the user's
    language (WTForms' own message is English only)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Enter a date, for example 2026-12-31.")) from None


class ChoiceField(SelectField):  # type: ignore[misc]  # WTForms' fields are untyped
    """A select of ids whose refusals (not a number, not one of the choices) are in the
    user's language."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Choose one of the options.")) from None

    def pre_validate(self, form: Any) -> None:
        if self.data not in [value for value, _label in self.choices or []]:
            raise ValidationError(_("Choose one of the options."))


class IjpPercent:
    """Validator: the IJP rate in percent (``1,5`` or ``1.5`` = 1.5 %), left on
    ``field.rate`` as a fraction (``0.015``)."""

    def __call__(self, form: Any, field: Any) -> None:
        field.rate = None
        text = (field.data or "").strip().replace(",", ".").rstrip("%").strip()
        try:
            percent = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Enter the rate in percent, for example 1,5.")) from None
        if not percent.is_finite() or not Decimal(0) <= percent <= MAX_IJP_PERCENT:
            raise ValidationError(_("Enter a rate from 0 to 20 percent."))
        if percent != percent.quantize(Decimal("0.0001")):
            raise ValidationError(_("At most four decimals of a percent."))
        field.rate = (percent / 100).quantize(Decimal("0.000001"))


class ClaimPaymentForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    amount = StringField(_l("Amount paid by the guarantor"),
                         validators=[DataRequired(REQUIRED), RupiahAmount()])  # fmt: skip
    paid_on = DayField(_l("Value date"), validators=[InputRequired(REQUIRED)])
    confirmed = HiddenField()  # "yes" once the confirmation was shown


class ClaimRejectionForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    reason = TextAreaField(
        _l("Why the guarantor rejected the claim"),
        validators=[DataRequired(REQUIRED), Length(max=500, message=MAX_500)],
    )
    rejected_on = DayField(_l("Rejected on"), validators=[InputRequired(REQUIRED)])


class IjpPaymentForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    started_to = DayField(_l("Covers opened up to"), validators=[InputRequired(REQUIRED)])
    paid_on = DayField(_l("Value date"), validators=[InputRequired(REQUIRED)])
    confirmed = HiddenField()


class SubrogationForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    paid_on = DayField(_l("Value date"), validators=[InputRequired(REQUIRED)])


class GuarantorForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    code = StringField(
        _l("Code"), validators=[DataRequired(REQUIRED), Length(max=32, message=MAX_32)]
    )
    name = StringField(
        _l("Name"), validators=[DataRequired(REQUIRED), Length(max=200, message=MAX_200)]
    )


class ProgramGuaranteeForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    program = ChoiceField(_l("Program"), coerce=int)
    guarantor = ChoiceField(_l("Guarantor"), coerce=int)
    ijp_rate = StringField(_l("IJP rate in percent"),
                           validators=[DataRequired(REQUIRED), IjpPercent()])  # fmt: skip
    effective_from = DayField(_l("Effective from"), validators=[InputRequired(REQUIRED)])


# The guarantee services' reasons (English, for the API and CLI) and what a manager reads;
# matched by the start (some end with a figure or a date), " exists" by the end.
_KNOWN = (
    ("exceeds the amount claimed", _l("More than the amount claimed.")),
    ("must be greater than 0", _l("Enter an amount greater than 0.")),
    ("status is", _l("This claim was decided already.")),
    ("no unpaid ijp", _l("No unpaid IJP of this guarantor on covers opened by this date.")),
    ("must not be before the covers", _l("Must not be before the last day of the covers.")),
    ("must not be before the recovery", _l("Must not be before the recovery.")),
    ("the guarantor's share is paid already", _l("This share was paid over already.")),
    ("nothing of this recovery", _l("Nothing of this recovery is owed to a guarantor.")),
    (
        "the program has a row from this date",
        _l("The program has a guarantee row from this date already."),
    ),  # fmt: skip
    ("1 to 32 characters", _l("From 1 to 32 characters.")),
    ("1 to 200 characters", _l("From 1 to 200 characters.")),
    *CLAIM_REASONS,
)
_EXISTS = _l("A guarantor with this code exists already.")


def guarantee_errors(
    form: FlaskForm, exc: DomainError, fields: dict[str, str] | None = None
) -> None:
    """Show a guarantee service's refusal beside its field (``fields`` maps the service's
    field names to the form's), in the user's language when the reason is known."""

    def translate(low: str) -> Any:
        known = known_reason(_KNOWN, low)
        return _EXISTS if known is None and low.endswith(" exists") else known

    translated_errors(form, exc, translate, fields)

"""Forms of the claim pages (CSRF on each POST form, Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..errors import DomainError
from .loan_forms import RupiahAmount, put_errors

REQUIRED = _l("This field is required.")


class RejectLineForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    reason = TextAreaField(
        _l("Why this line is rejected"), validators=[DataRequired(REQUIRED), Length(max=500)]
    )


class PaymentForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    amount = StringField(_l("Amount received"), validators=[DataRequired(REQUIRED), RupiahAmount()])
    paid_on = DateField(_l("Received on"), validators=[InputRequired(REQUIRED)])
    confirmed = HiddenField()  # "yes" once the confirmation page was shown


class StatementForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """The statement's period (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    start = DateField(_l("From"), validators=[InputRequired(REQUIRED)])
    end = DateField(_l("To"), validators=[InputRequired(REQUIRED)])


# Reasons the claim services give (English, for the API and CLI) and what a manager reads
# instead; matched by the start, since some end with a figure or a date.
_KNOWN = (
    ("exceeds the verified total", _l("More than the verified total of this claim.")),
    ("must not be before the verification", _l("Must not be before the verification date.")),
    ("must not be before the claim", _l("Must not be before the claim was submitted.")),
    ("verify the claim before", _l("Verify the claim before recording its payment.")),
    ("a reason is required", _l("A reason is required.")),
)


def claim_errors(form: FlaskForm, exc: DomainError) -> None:
    """Show a claim service's refusal beside its field, in the user's language when known."""
    errors = {}
    for name, reasons in (exc.errors or {"": [exc.message]}).items():
        texts = []
        for reason in reasons:
            known = next((t for start, t in _KNOWN if reason.lower().startswith(start)), None)
            texts.append(str(known) if known is not None else reason)
        errors[name] = texts
    put_errors(form, DomainError(exc.message, errors))

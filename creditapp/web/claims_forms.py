"""Forms of the claim pages (CSRF on each POST form, Flask-WTF)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from .loan_forms import RupiahAmount

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

"""Forms of the claim pages (CSRF on each POST form, Flask-WTF)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import DateField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from ..db import get_session
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


def translated_errors(
    form: FlaskForm,
    exc: DomainError,
    translate: Callable[[str], Any],
    fields: dict[str, str] | None = None,
) -> None:
    """Show a service's refusal beside its field (``fields`` maps the service's field names to
    the form's); ``translate`` gives the user's-language text of a lower-cased reason, or None
    to show the reason as the service wrote it."""
    errors = {
        name: [str(translate(reason.lower()) or reason) for reason in reasons]
        for name, reasons in (exc.errors or {"": [exc.message]}).items()
    }
    put_errors(form, DomainError(exc.message, errors), fields)


def known_reason(known: Sequence[tuple[str, Any]], low: str) -> Any:
    """The text of the first ``known`` reason that ``low`` starts with, else None."""
    return next((text for start, text in known if low.startswith(start)), None)


def claim_errors(form: FlaskForm, exc: DomainError) -> None:
    """Show a claim service's refusal beside its field, in the user's language when known."""
    translated_errors(form, exc, lambda low: known_reason(_KNOWN, low))


def store(
    form: FlaskForm,
    change: Callable[[Session], Any],
    show_errors: Callable[[FlaskForm, DomainError], None] = claim_errors,
) -> tuple[bool, Any]:
    """Run ``change`` in the request's unit of work and commit it; a refusal rolls back and
    goes beside the form's fields. Returns (stored, what ``change`` returned)."""
    db = get_session()
    try:
        result = change(db)
    except DomainError as exc:
        db.rollback()
        show_errors(form, exc)
        return False, None
    db.commit()
    return True, result

"""Forms of the model registry pages: confirming a promotion or rollback, and a comparison.

Labels and messages are lazy translations, so they appear in the user's language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from .forms import REQUIRED


class ConfirmForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """One button, CSRF-protected; ``expected`` is the champion the page showed, so a
    confirmation made stale by another user's promotion meanwhile is refused, not applied."""

    expected = HiddenField()


class CompareForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    """Champion against a challenger (read-only, so a GET form without CSRF token)."""

    class Meta:
        csrf = False

    challenger = SelectField(_l("Challenger"))  # version ids; choices set by the view
    dataset = StringField(_l("Dataset file"), validators=[DataRequired(REQUIRED), Length(max=500)])
    rows = RadioField(
        _l("Rows to compare on"),
        choices=[
            SelectChoice("holdout", _l("The holdout of the seed below")),
            SelectChoice("all", _l("All rows")),
        ],
        default="holdout",
    )
    seed = IntegerField(
        _l("Seed of the holdout split"),
        validators=[InputRequired(REQUIRED), NumberRange(min=0, max=2**31 - 1)],
    )
    cutoff_band = SelectField(_l("Approve at band or better"), default="C")

"""The decision form: plain fields, read and checked by ``decide`` (codes in hidden choices)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length, Optional


class DecisionForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    outcome = StringField(_l("Decision"))
    amount = StringField(_l("Amount (Rp)"), validators=[Optional(), Length(max=20)])
    tenor = StringField(_l("Tenor (months)"), validators=[Optional(), Length(max=3)])
    grace_principal = StringField(_l("Grace on principal (months)"), default="0",
                                  validators=[Optional(), Length(max=3)])  # fmt: skip
    reason_code = StringField(_l("Reason for declining"))
    override_reason_code = StringField(_l("Reason for deciding against the recommendation"))
    referred_to = StringField(_l("Refer to"))
    text = TextAreaField(_l("Explanation"), validators=[Optional(), Length(max=1000)])
    confirm = HiddenField()

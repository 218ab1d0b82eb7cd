"""Forms of the account pages; every form carries a CSRF token (Flask-WTF).

Labels and messages are lazy translations, so they appear in the user's language.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import AnyOf, DataRequired, EqualTo, Length

from ..models.access import LOCALES
from ..services.access import MIN_PASSWORD_LENGTH

REQUIRED = _l("This field is required.")


class SignInForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    email = StringField(_l("E-mail"), validators=[DataRequired(REQUIRED), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(REQUIRED), Length(max=200)])


class ChangePasswordForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    current = PasswordField(_l("Current password"), validators=[DataRequired(REQUIRED)])
    new = PasswordField(
        _l("New password"),
        validators=[
            DataRequired(REQUIRED),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("Use at least %(n)d characters.", n=MIN_PASSWORD_LENGTH),
            ),
        ],
    )
    repeat = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(REQUIRED), EqualTo("new", message=_l("The passwords differ."))],
    )


class LanguageForm(FlaskForm):  # type: ignore[misc]  # Flask-WTF ships no type hints
    lang = StringField(_l("Language"), validators=[AnyOf(LOCALES)])
    next = HiddenField()

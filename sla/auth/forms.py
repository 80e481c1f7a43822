"""Forms of the login, account and user-administration pages (Flask-WTF: CSRF included)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, ValidationError

from sla.auth.passwords import MIN_LENGTH
from sla.web.roles import Role

EMAIL_MAX_LENGTH = 254  # the users table's column

ROLE_CHOICES = [
    SelectChoice(Role.viewer.value, _l("Viewer (read only)")),
    SelectChoice(Role.agent.value, _l("Agent (logs and follows incidents)")),
    SelectChoice(Role.admin.value, _l("Administrator")),
]


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_LENGTH, max=256)]
    )
    confirm = PasswordField(
        _l("Confirm the new password"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])


class LanguageForm(FlaskForm):
    locale = SelectField(
        _l("Language"), choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")]
    )


# One mail address as people write it: the local part's usual characters (RFC 5322's dot-atom,
# no quoted forms), one @, a domain of letters, digits and hyphens with a dot. Commas,
# semicolons, angle brackets and quotes are refused: a header would read them as several.
_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)


def plausible_email(text: str) -> bool:
    """`text` reads as one mail address (see `_EMAIL`), 254 characters at most. (Whether it
    receives mail, only a mail tells.)"""
    return len(text) <= EMAIL_MAX_LENGTH and _EMAIL.fullmatch(text) is not None


class EmailForm(FlaskForm):
    """The user's own address, where the alerts they chose are sent (empty: none)."""

    email = EmailField(
        _l("Email address"),
        description=_l("Leave it empty to receive no email."),
        render_kw={"autocomplete": "email"},
    )

    def validate_email(self, field: Any) -> None:
        text = str(field.data or "").strip()
        if text and not plausible_email(text):
            raise ValidationError(_("Email address: expected an address such as agent@example.fr."))


class NotificationsForm(FlaskForm):
    notify_warnings = BooleanField(_l("Warnings before a deadline"))
    notify_breaches = BooleanField(_l("Breaches and reminders"))
    notify_digest = BooleanField(_l("The daily digest"))


class UserCreateForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=64)])
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=128)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.agent.value)
    local_account = BooleanField(
        _l("Local account"),
        description=_l(
            "It may sign in with its Garantie password even when passwords are reserved to "
            "local accounts, and when the directory does not answer (the first administrator, "
            "a break-glass account)."
        ),
    )


class UserEditForm(FlaskForm):
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=128)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    active = BooleanField(_l("Active"))
    local_account = BooleanField(
        _l("Local account"),
        description=_l(
            "It may sign in with its Garantie password even when passwords are reserved to "
            "local accounts, and when the directory does not answer (the first administrator, "
            "a break-glass account)."
        ),
    )

"""Forms of the login, account and user-administration pages (Flask-WTF: CSRF included)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from sla.auth.passwords import MIN_LENGTH
from sla.web.roles import Role

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


class NotificationsForm(FlaskForm):
    notify_warnings = BooleanField(_l("Warnings before a deadline"))
    notify_breaches = BooleanField(_l("Breaches and reminders"))
    notify_digest = BooleanField(_l("The daily digest"))


class UserCreateForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=2, max=64)])
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=128)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES, default=Role.agent.value)


class UserEditForm(FlaskForm):
    display_name = StringField(_l("Full name"), validators=[Optional(), Length(max=128)])
    email = EmailField(_l("Email"), validators=[Optional(), Length(max=254)])
    role = SelectField(_l("Role"), choices=ROLE_CHOICES)
    active = BooleanField(_l("Active"))

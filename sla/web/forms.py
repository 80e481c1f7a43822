"""Form plumbing shared by every blueprint."""

from __future__ import annotations

from flask_wtf import FlaskForm


class EmptyForm(FlaskForm):
    """A form with only its CSRF token, for buttons that post an action."""

"""What the login page says of a sign-in refused once the person is known to be who they say
(before, one sentence for every reason: it must not tell which names exist). One home for the
password form and OpenID Connect's return."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

REFUSALS = {
    "not_allowed": _l(
        "Your directory account is in no group allowed to use Garantie. Ask the IT "
        "department to add you to one."
    ),
    "deactivated": _l("This account is deactivated. An administrator can reactivate it."),
    "password_login_disabled": _l(
        "Signing in with a Garantie password is reserved for local accounts: use your "
        "organisation's sign-in."
    ),
    "name_taken": _l(
        "A Garantie account of another kind already has this name. An administrator must "
        "rename it before you can sign in."
    ),
}

"""Web plumbing shared by every blueprint: request session, access control, i18n, logs."""

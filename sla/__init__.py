"""Garantie: hold IT vendors to their contracts. The application factory is
`sla.app.create_app`; this package's own modules are the plumbing every domain uses
(configuration, database, errors, wording) and the domains under `sla/`."""

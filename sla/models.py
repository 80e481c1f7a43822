"""Every table module, imported here so that `SQLModel.metadata` (and Alembic) knows them all."""

from sla.auth import models as auth_models

__all__ = ["auth_models"]

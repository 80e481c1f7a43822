"""Every table module, imported here so that `SQLModel.metadata` (and Alembic) knows them all."""

from calendars import models as calendar_models
from incidents import models as incident_models
from sla.alerts import models as alert_models
from sla.audit import models as audit_models
from sla.auth import models as auth_models
from sla.contracts import models as contract_models
from sla.outages import models as outage_models
from sla.penalties import models as penalty_models
from sla.reports import models as report_models

__all__ = [
    "alert_models",
    "audit_models",
    "auth_models",
    "calendar_models",
    "contract_models",
    "incident_models",
    "outage_models",
    "penalty_models",
    "report_models",
]

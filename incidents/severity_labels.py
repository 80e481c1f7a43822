"""The severity labels people read for incidents, by the contract version each was reported
under (keys stay in URLs and files)."""

from __future__ import annotations

from sqlmodel import Session

from incidents.models import Incident
from sla.contracts import service as contracts
from sla.contracts.models import ContractVersion
from sla.engine.terms import SlaTerms


class SeverityLabels:
    """The severity labels of incidents, by the contract version each was reported under (the
    key itself when a version does not know it)."""

    def __init__(self, by_version: dict[int, dict[str, str]]) -> None:
        self.by_version = by_version

    def __call__(self, incident: Incident) -> str:
        """The label of the incident's current severity."""
        key = incident.current_severity
        return self.by_version.get(incident.contract_version_id, {}).get(key, key)


def severity_labels(session: Session, incidents: list[Incident]) -> SeverityLabels:
    """The labels of these incidents' severities, each distinct contract version read once."""
    by_version: dict[int, dict[str, str]] = {}
    for version_id in {i.contract_version_id for i in incidents}:
        version = session.get(ContractVersion, version_id)
        by_version[version_id] = {} if version is None else labels_of(contracts.terms_of(version))
    return SeverityLabels(by_version)


def labels_of(terms: SlaTerms) -> dict[str, str]:
    """A contract version's severity labels by key."""
    return {s.key: s.label for s in terms.severities}

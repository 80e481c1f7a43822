"""Incidents reported to vendors, their append-only events, services and views."""

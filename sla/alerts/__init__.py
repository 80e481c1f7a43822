"""Alerts: warn before a vendor misses a delay and when it has; notices; the daily digest.

Every notification is first recorded in an outbox (unique key: the same alert is never
recorded twice), then delivered by the scheduler with retries; a claim with a lease makes sure
two schedulers never deliver the same row.
"""

"""The SLA engine: contract terms and incident events in, target states out. Pure."""

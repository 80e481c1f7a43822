"""Penalties: what a missed delay costs the vendor under its contract, and the contradictory
procedure (CCAG-TIC 2021 art. 14.1.1) that turns a statement of them into a decision."""

"""`python -m sla` is the `sla` command."""

from sla.cli import main

main()

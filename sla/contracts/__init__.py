"""Vendors and their contracts: the TOML document format, tables, import and export."""

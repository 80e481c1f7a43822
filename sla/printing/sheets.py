"""Spreadsheet cells made safe in one place: text that a spreadsheet would read as a formula
(an incident title typed as "=HYPERLINK(...)") is written as text. openpyxl takes a string
starting with "=" for a formula; other leading signs stay strings."""

from __future__ import annotations

from typing import Any

from openpyxl.cell import WriteOnlyCell


def text_cell(sheet: Any, value: Any) -> Any:
    """`value` for a write-only sheet: a string starting with "=" as a text cell."""
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"
        return cell
    return value

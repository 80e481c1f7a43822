"""What leaves the application as a file, made safe in one place: CSV text (cells a
spreadsheet would run as formulas stay text) and download responses (the file name in
`Content-Disposition` as RFC 6266 / RFC 5987 want it, through Werkzeug's `send_file`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from flask import Response, send_file, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One CSV cell for a French spreadsheet: decimal commas, instants as `2025-05-07 14:30`
    (give them in the reader's local time), text that looks like a formula kept as text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    text = str(value)
    # A cell starting with = + - @ (or a tab or CR before them) is a formula to a spreadsheet.
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_line(cells: Sequence[Any]) -> str:
    """One CSV line (`;`-separated, each cell made safe by `csv_cell`)."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerow([csv_cell(value) for value in cells])
    return buffer.getvalue()


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """A CSV document line by line: a BOM (so that Excel reads UTF-8) and the header first."""
    yield "\ufeff" + csv_line(header)
    for row in rows:
        yield csv_line(row)


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A CSV document (`;`-separated, with a BOM so that Excel reads UTF-8)."""
    return "".join(csv_lines(header, rows))


def attachment(content: bytes | str, mimetype: str, filename: str) -> Response:
    """A download: the browser saves it under `filename` (any characters: non-ASCII names
    get an ASCII fallback and a `filename*` in UTF-8; quotes and line breaks cannot escape
    the header) and never renders it inline."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    response = send_file(
        io.BytesIO(data),
        mimetype=mimetype,
        as_attachment=True,
        download_name=filename.replace("\r", " ").replace("\n", " ") or "download",
        conditional=False,
        etag=False,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def streamed_attachment(chunks: Iterable[str], mimetype: str, filename: str) -> Response:
    """A download sent as it is written (a long export): the headers of `attachment` for a
    file of that name, without a length."""
    headers = attachment(b"", mimetype, filename).headers
    return Response(
        stream_with_context(chunk.encode("utf-8") for chunk in chunks),
        headers=[(k, v) for k, v in headers.items() if k.lower() != "content-length"],
    )

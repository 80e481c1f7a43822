"""Line numbers of keys in a TOML text, so that validation errors read `file:line: message`.

`tomllib` gives values, not positions. This scanner follows table headers (`[a.b]`,
`[[a.b]]` with their running indexes) and `key = value` lines, and maps each concrete path
such as ("sla", "severities", 1, "targets", 0, "business_hours") to its line. It covers the
TOML we write (one key per line, no dotted keys); anything it cannot place falls back to the
nearest enclosing path it knows, then to line 1.
"""

from __future__ import annotations

import re

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]+"|'[^']+'|[A-Za-z0-9_-]+)\s*=""")


def _names(dotted: str) -> tuple[str, ...]:
    return tuple(part.strip().strip("\"'") for part in dotted.split("."))


def key_lines(text: str) -> dict[Path, int]:
    """Map each path found in `text` to its 1-based line number."""
    lines: dict[Path, int] = {}
    array_index: dict[tuple[str, ...], int] = {}
    current: Path = ()

    def concrete(names: tuple[str, ...]) -> Path:
        path: list[str | int] = []
        for depth in range(1, len(names) + 1):
            path.append(names[depth - 1])
            prefix = names[:depth]
            if prefix in array_index:
                path.append(array_index[prefix])
        return tuple(path)

    in_multiline = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if in_multiline:
            if '"""' in line or "'''" in line:
                in_multiline = False
            continue
        if not line or line.startswith("#"):
            continue
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            names = _names(header.group(2))
            if header.group(1) == "[[":
                array_index[names] = array_index.get(names, -1) + 1
                for other in list(array_index):  # nested arrays restart under a new parent
                    if len(other) > len(names) and other[: len(names)] == names:
                        del array_index[other]
            current = concrete(names)
            lines.setdefault(current, number)
            continue
        key = _KEY.match(line)
        if key:
            lines.setdefault((*current, key.group(1).strip("\"'")), number)
            value = line.split("=", 1)[1]
            if value.count('"""') == 1 or value.count("'''") == 1:
                in_multiline = True
    return lines


def line_of(lines: dict[Path, int], path: Path) -> int:
    """The line of `path`, or of its nearest known ancestor, or 1."""
    for end in range(len(path), 0, -1):
        found = lines.get(path[:end])
        if found is not None:
            return found
    return 1

"""Who the PDF is from: the organisation that runs Garantie (`[organisation]` in the
configuration), named on the cover, in every page's footer and in the document's properties,
with its logo on the cover when the file is a readable PNG or JPEG. A missing or unreadable
logo is left out with a warning in the log: the report is made all the same."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from reportlab.lib.units import cm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import Image

log = logging.getLogger(__name__)

# The first bytes of the formats accepted.
_SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")
LOGO_WIDTH, LOGO_HEIGHT = 6 * cm, 2.5 * cm  # the most a logo takes on the cover
LOGO_MAX_BYTES = 5_000_000  # a logo is small: a larger file is not decoded at all


@dataclass(frozen=True)
class Organisation:
    """The organisation's name (empty: not configured) and its logo's path (may be empty)."""

    name: str = ""
    logo: str = ""

    @classmethod
    def from_settings(cls, section: Mapping[str, Any]) -> Organisation:
        """From the configuration's `[organisation]` section (`name`, `logo`)."""
        return cls(str(section.get("name", "")).strip(), str(section.get("logo", "")).strip())


def logo_flowable(organisation: Organisation) -> Image | None:
    """The organisation's logo scaled to fit the cover's box, or None (no logo configured, or a
    file that is missing, unreadable or neither PNG nor JPEG: then logged)."""
    if not organisation.logo:
        return None
    path = Path(organisation.logo).expanduser()
    try:
        if path.stat().st_size > LOGO_MAX_BYTES:
            log.warning("organisation logo %s is over %d bytes: left out", path, LOGO_MAX_BYTES)
            return None
        content = path.read_bytes()  # read once: the PDF is built from these bytes
        if not content.startswith(_SIGNATURES):
            log.warning("organisation logo %s is neither PNG nor JPEG: left out", path)
            return None
        reader = ImageReader(BytesIO(content))
        width, height = reader.getSize()
        reader.getRGBData()  # decoded once here: a truncated file fails now, not in the PDF
    except Exception as error:  # any unreadable image: the report goes on without it
        log.warning("organisation logo %s cannot be read (%s): left out", path, error)
        return None
    if width <= 0 or height <= 0:
        log.warning("organisation logo %s has no size: left out", path)
        return None
    scale = min(LOGO_WIDTH / width, LOGO_HEIGHT / height)
    image = Image(BytesIO(content), width=width * scale, height=height * scale)
    image.hAlign = "LEFT"
    return image

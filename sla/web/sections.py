"""Page sections contributed by other domains: a page of a lower domain sends a signal, the
domains above it answer with a rendered `Section`; the page shows them in order."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from blinker import Signal
from markupsafe import Markup


@dataclass(frozen=True)
class Section:
    order: int  # lower first
    html: Markup


def sections_from(signal: Signal, sender: Any, **kwargs: Any) -> list[Markup]:
    """The sections the receivers of `signal` rendered, in their order."""
    found = [result for _receiver, result in signal.send(sender, **kwargs) if result]
    return [section.html for section in sorted(found, key=lambda s: s.order)]

"""Writers that render the simulated world in the landing formats of SOURCES.md.

One module per feed; each takes the world model and never changes it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WrittenFeed:
    """What a writer delivered: files and data rows (header lines not counted)."""

    files: int
    rows: int

"""SAM (placeholder until the SAM reader lands): records SAM resources like any other."""

from __future__ import annotations

from .template import TemplateReader


class SamReader:
    def __init__(self, reader: TemplateReader) -> None:
        self.reader = reader

    def read_resources(self) -> None:
        return None

    def read_wiring(self) -> None:
        return None

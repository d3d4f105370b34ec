"""One error type that always says where: ``file:line: what is wrong; how to fix``."""

from __future__ import annotations

from .model import Source


class CardsError(Exception):
    """A problem with one note (or the config); the build reports it and goes on."""

    def __init__(self, source: Source, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message

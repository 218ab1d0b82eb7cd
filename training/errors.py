"""The error training raises for input a data scientist handed in: it names the field."""

from __future__ import annotations


class TrainingInputError(ValueError):
    """Input training refuses (a dataset, a row set, a cutoff band), naming field and reason.

    A ``ValueError``, so callers that catch bad values keep working; ``field`` says which input
    is wrong (``"bad"``, ``"rows"``, ``"cutoff_band"``, ...) for forms and JSON error bodies.
    """

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message

"""Rupiah amounts as people write them: ``Rp 12.500.000`` (dot groups, no decimals)."""

from __future__ import annotations

import re

# optional minus (before or after "Rp"), optional "Rp", digits in dot groups or plain,
# an optional ",00" (whole Rupiah written with cents).
_PATTERN = re.compile(
    r"^(?P<sign1>-)?\s*(?:Rp\.?\s*)?(?P<sign2>-)?\s*"
    r"(?P<digits>\d{1,3}(?:\.\d{3})+|\d+)(?:,(?P<cents>\d{1,2}))?$",
    re.IGNORECASE,
)


def group_thousands(amount: int, lang: str = "id") -> str:
    """Whole number with thousand groups: ``12.500.000`` (``id``) or ``12,500,000`` (``en``)."""
    grouped = f"{amount:,}"
    return grouped.replace(",", ".") if lang == "id" else grouped


def format_rupiah(amount: int, lang: str = "id") -> str:
    """Format whole Rupiah: ``12500000 -> "Rp 12.500.000"``, ``-1000 -> "-Rp 1.000"``.

    Args:
        amount: whole Rupiah (int; a bool or float is refused).
        lang: ``id`` (dot groups, the default everywhere) or ``en`` (comma groups).

    Returns:
        The text with the language's thousand separators.
    """
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise TypeError(f"amount must be an int of whole Rupiah, got {type(amount).__name__}")
    grouped = group_thousands(abs(amount), lang)
    return f"-Rp {grouped}" if amount < 0 else f"Rp {grouped}"


def parse_rupiah(text: str) -> int:
    """Parse a Rupiah amount as typed in a form.

    Accepts ``"Rp 12.500.000"``, ``"Rp12.500.000"``, ``"12500000"``, ``"-Rp 1.000"``,
    ``"Rp -1.000"`` and a trailing ``",00"``. Refuses a non-zero fraction (money is whole
    Rupiah) and misplaced separators (``"1.00.000"``), with ``ValueError``.

    Args:
        text: the typed amount.

    Returns:
        The amount in whole Rupiah.
    """
    match = _PATTERN.match(text.strip())
    if match is None:
        raise ValueError(f"not a Rupiah amount: {text!r}")
    if match["sign1"] and match["sign2"]:
        raise ValueError(f"not a Rupiah amount (two signs): {text!r}")
    if match["cents"] and int(match["cents"]) != 0:
        raise ValueError(f"Rupiah amounts are whole, got a fraction: {text!r}")
    value = int(match["digits"].replace(".", ""))
    return -value if (match["sign1"] or match["sign2"]) else value

"""Program managers' report pages (and the downloads the data scientists' page shares).

The pages live in modules named after what they show, each adding its routes to the one
``report_pages`` blueprint of ``report_base``:

- ``report_quality``: portfolio quality (PAR, Kol, roll rates, vintages, collection, write-offs)
- ``report_volume``: volume by a grouping, quota used and left
- ``report_cost``: interest subsidy and guarantee cover and claims
- ``report_graduation``: graduation, size transitions, strategy indicators
- ``report_inclusion``: approval, PD, bad rate and the four-fifths ratio by gender and province
- ``report_provisions``: loss allowance (CKPN) by stage and program, and its movement
- ``report_downloads``: every table as CSV or XLSX; ``monthly_pdf``: the monthly PDF
"""

from __future__ import annotations

from . import (  # noqa: F401  (their routes on report_base.bp)
    report_cost,
    report_downloads,
    report_graduation,
    report_inclusion,
    report_provisions,
    report_quality,
    report_volume,
)
from .report_base import (
    MANAGERS,
    MODEL_REPORTS,
    SCIENTISTS,
    Filters,
    bp,
    choices,
    read_filters,
    scope_of,
)

__all__ = [
    "MANAGERS", "MODEL_REPORTS", "SCIENTISTS", "Filters", "bp", "choices", "read_filters",
    "scope_of",
]  # fmt: skip

"""The headline figures of graduation and inclusion for the monthly PDF: the few numbers a
program's report leads with, computed from the reports (the page's own sums are named)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from ..reports import Scope, run_report
from ..reports.scope import ratio
from .report_graduation import GROUP_ORDER, overall


def headlines(session: Session, scope: Scope) -> dict[str, Any]:
    """Graduation within 12 months, financed and comparison group (all enterprises together);
    the women-owned share of the amount disbursed; approval rates by owner gender and the
    lowest four-fifths ratio, flagged below 0.8."""
    total = overall(run_report(session, "graduation", scope, by="program")["rows"])
    by_gender = {
        r["gender"]: r for r in run_report(session, "inclusion", scope, by="gender")["rows"]
    }
    volume = run_report(session, "volume", scope, by="gender")["rows"]
    disbursed = sum(int(r["disbursed"]) for r in volume)
    women = sum(int(r["disbursed"]) for r in volume if r["gender"] == "F")
    lowest = min(by_gender.values(), key=lambda r: r["four_fifths_ratio"], default=None)
    return {
        "graduation": {g: total[g] for g in GROUP_ORDER},
        "women_share_disbursed": ratio(women, disbursed),
        "approval": {g: r["approval_rate"] for g, r in sorted(by_gender.items())},
        "lowest_four_fifths": lowest,
    }

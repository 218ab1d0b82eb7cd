"""Plain-text rendering of a repayment schedule (the schedule CLI and log/debug output)."""

from __future__ import annotations

from collections.abc import Sequence

from loanmath.rupiah import group_thousands
from loanmath.schedule import Installment


def format_schedule_table(schedule: Sequence[Installment]) -> str:
    """Render a schedule as a fixed-width text table with a totals line (Rupiah, '.' groups)."""
    header = ("No", "Due date", "Opening", "Principal", "Interest", "Total", "Closing")
    body = [
        (
            str(i.number),
            i.due_date.isoformat(),
            group_thousands(i.opening_balance),
            group_thousands(i.principal),
            group_thousands(i.interest),
            group_thousands(i.total),
            group_thousands(i.closing_balance),
        )
        for i in schedule
    ]
    totals = (
        "Total",
        "",
        "",
        group_thousands(sum(i.principal for i in schedule)),
        group_thousands(sum(i.interest for i in schedule)),
        group_thousands(sum(i.total for i in schedule)),
        "",
    )
    widths = [max(len(row[c]) for row in [header, *body, totals]) for c in range(len(header))]

    def line(row: Sequence[str]) -> str:
        return "  ".join(
            cell.ljust(w) if c < 2 else cell.rjust(w)
            for c, (cell, w) in enumerate(zip(row, widths, strict=True))
        ).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(header), rule, *map(line, body), rule, line(totals)])

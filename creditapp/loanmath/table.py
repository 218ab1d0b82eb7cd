"""Plain-text rendering of a repayment schedule (the schedule CLI and log/debug output)."""

from __future__ import annotations

from collections.abc import Sequence

from creditapp.loanmath.schedule import Installment


def _grouped(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def format_schedule_table(schedule: Sequence[Installment]) -> str:
    """Render a schedule as a fixed-width text table with a totals line (Rupiah, '.' groups)."""
    header = ("No", "Due date", "Opening", "Principal", "Interest", "Total", "Closing")
    body = [
        (
            str(i.number),
            i.due_date.isoformat(),
            _grouped(i.opening_balance),
            _grouped(i.principal),
            _grouped(i.interest),
            _grouped(i.total),
            _grouped(i.closing_balance),
        )
        for i in schedule
    ]
    totals = (
        "Total",
        "",
        "",
        _grouped(sum(i.principal for i in schedule)),
        _grouped(sum(i.interest for i in schedule)),
        _grouped(sum(i.total for i in schedule)),
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

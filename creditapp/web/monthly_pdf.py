"""The monthly program report as a PDF (Bahasa Indonesia or English, the reader's language):
the month's headline figures, collectibility as bars, graduation and inclusion headlines, PAR
by program and province.

fpdf2 with DejaVu Sans shipped by matplotlib (Unicode, nothing downloaded), as the letters.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask import Response, abort, current_app, request
from flask_babel import gettext as _
from fpdf import FPDF

from loanmath.dates import add_months

from ..db import get_session
from ..errors import DomainError
from ..reports import run_report
from ..reports.scope import last_run, resolve_scope
from ..services.loans.value_dates import business_date
from .authz import role_required
from .i18n import lang, percent, rupiah
from .letter import FONT_DIR
from .report_base import MANAGERS, bp
from .report_charts import GRADE_COLOURS
from .report_headlines import headlines


def _rgb(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def month_end(month: str) -> date:
    """The last day of ``YYYY-MM`` (ValueError when it is not a month)."""
    first = datetime.strptime(month, "%Y-%m").date()
    return add_months(first, 1) - timedelta(days=1)


def _headlines(pdf: FPDF, heads: dict[str, Any]) -> None:
    """Graduation (financed against the comparison group, with the not-causal caveat) and
    inclusion (women-owned share, approval by gender, the four-fifths flag)."""
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(
        width,
        6,
        _("Graduation within 12 months (by sales / by workers)"),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("DejaVu", "", 10)
    names = {"financed": _("Financed"), "comparison": _("Comparison group")}
    for group, row in heads["graduation"].items():
        pdf.cell(width * 0.55, 6, names[group])
        text = _(
            "%(sales)s / %(workers)s of %(n)d followed",
            sales=percent(row["rate_12_sales"]),
            workers=percent(row["rate_12_workers"]),
            n=row["followed_12"],
        )
        pdf.cell(width * 0.45, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(
        width,
        4,
        _(
            "Descriptive, not causal: the comparison group (applicants never "
            "financed) differs in who applied and who was approved."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(width, 6, _("Inclusion"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    genders = {"F": _("Women"), "M": _("Men")}
    facts = [
        (_("Women-owned share of the amount disbursed"), percent(heads["women_share_disbursed"]))
    ]
    facts += [
        (_("Approval rate: %(group)s", group=genders.get(g, g)), percent(rate))
        for g, rate in heads["approval"].items()
    ]
    lowest = heads["lowest_four_fifths"]
    if lowest is not None:
        ratio_text = f"{lowest['four_fifths_ratio']:.2f}"
        ratio_text = ratio_text.replace(".", ",") if lang() == "id" else ratio_text
        if lowest["below_four_fifths"]:
            ratio_text += " - " + _("below 0.8")
        group = genders.get(lowest["gender"], lowest["gender"])
        facts.append((_("Lowest four-fifths ratio (%(group)s)", group=group), ratio_text))
    for name, value in facts:
        pdf.cell(width * 0.55, 6, name)
        pdf.cell(width * 0.45, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def render_monthly(
    figures: dict[str, Any],
    par_rows: list[dict[str, Any]],
    collection: dict[str, Any],
    title: str,
    heads: dict[str, Any] | None = None,
) -> bytes:
    """Lay the month's figures out on A4."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_lang(lang())
    pdf.add_page()
    width = pdf.epw
    pdf.set_font("DejaVu", "B", 14)
    pdf.multi_cell(width, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        width,
        5,
        f"{_('End-of-day run read')}: {figures['snapshot'] or '-'}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    facts = [
        (_("Gross outstanding"), rupiah(figures["gross_outstanding"])),
        (_("Active loans"), str(figures["loans_active"])),
        ("PAR1 / PAR30", f"{percent(figures['par1'])} / {percent(figures['par30'])}"),
        ("PAR60 / PAR90", f"{percent(figures['par60'])} / {percent(figures['par90'])}"),
        (_("NPL ratio (Kol 3-5)"), percent(figures["npl_ratio"])),
        (_("PAR30 + restructured"), percent(figures["par30_restructured"])),
        (_("Written off (outside the portfolio)"), rupiah(figures["written_off_total"])),
        (_("Collection rate"), percent(collection["collection_rate"])),
    ]
    pdf.set_font("DejaVu", "", 10)
    for name, value in facts:
        pdf.cell(width * 0.55, 6, name)
        pdf.cell(width * 0.45, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(width, 6, _("Outstanding by collectibility"), new_x="LMARGIN", new_y="NEXT")
    balances = [int(figures["collectibility"][str(g)]) for g in range(1, 6)]
    top = max(balances) or 1
    pdf.set_font("DejaVu", "", 9)
    for grade, balance in enumerate(balances, start=1):
        y = pdf.get_y()
        pdf.cell(18, 6, f"Kol {grade}")
        pdf.set_fill_color(*_rgb(GRADE_COLOURS[grade - 1]))
        bar = max(balance / top * (width - 70), 0.5)
        pdf.rect(pdf.l_margin + 18, y + 1, bar, 4, style="F")
        pdf.set_xy(pdf.l_margin + 20 + bar, y)
        pdf.cell(50, 6, rupiah(balance), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    if heads is not None:
        _headlines(pdf, heads)
    if par_rows:
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(width, 6, _("PAR by program and province"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        with pdf.table(
            col_widths=(24, 14, 12, 30, 14, 14),
            line_height=4.5,
            text_align=("LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "RIGHT"),
            first_row_as_headings=True,
        ) as table:
            table.row(
                [_("Program"), _("Province"), _("Loans"), _("Gross outstanding"), "PAR30", "NPL"]
            )
            for r in par_rows:
                table.row(
                    [
                        r["program"],
                        r["province"],
                        str(r["loans_active"]),
                        rupiah(r["gross_outstanding"]),
                        percent(r["par30"]),
                        percent(r["npl_ratio"]),
                    ]
                )
    return bytes(pdf.output())


@bp.get("/monthly.pdf")
@role_required(*MANAGERS)
def monthly_pdf() -> Response:
    """Download the monthly program report of ``month`` (YYYY-MM) as a PDF."""
    try:
        end = month_end(request.args.get("month", ""))
    except ValueError:
        abort(422)
    session = get_session()
    latest = last_run(session)
    # A month not yet closed reads its last run so far.
    as_of = min(end, latest) if latest and latest >= end.replace(day=1) else end
    try:
        scope = resolve_scope(
            session,
            as_of,
            today=business_date(current_app.config),
            program=request.args.get("program") or None,
            lender=request.args.get("lender") or None,
        )
    except DomainError as exc:
        abort(exc.status_code)
    figures = run_report(session, "portfolio", scope)
    par_rows = run_report(session, "par-by-program-province", scope)["rows"]
    collection = run_report(session, "collection-rate", scope)
    title = _("Monthly program report %(month)s", month=end.strftime("%Y-%m"))
    body = render_monthly(figures, par_rows, collection, title, headlines(session, scope))
    name = f"program-report-{end.strftime('%Y-%m')}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )

"""The decision letter for the applicant: a printable page and a PDF, in id or en.

Both are drawn from one ``letter_content`` (the texts come from the message catalog and the
score record's own id/en reason and recourse texts), so the page and the PDF say the same.
The PDF uses fpdf2 with DejaVu Sans shipped by matplotlib (Unicode, nothing downloaded).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import matplotlib
from flask import Blueprint, Response, abort, render_template, request
from flask_babel import force_locale
from flask_babel import gettext as _
from fpdf import FPDF
from sqlalchemy import select

from ..db import get_session
from ..models import Application, Decision, Enterprise, Installment, Lender, Loan
from ..services import decisions, explanation
from . import labels
from .authz import lender_object, role_required
from .i18n import day, percent, rupiah

bp = Blueprint("letter", __name__)
FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@dataclass
class Letter:
    lang: str
    title: str
    lender: str
    contact: str
    date: str
    to: str
    reference: str
    paragraphs: list[str] = field(default_factory=list)
    terms: list[tuple[str, str]] = field(default_factory=list)
    reasons_title: str = ""
    reasons: list[str] = field(default_factory=list)
    recourse_title: str = ""
    recourse: list[str] = field(default_factory=list)
    schedule_title: str = ""
    schedule_head: list[str] = field(default_factory=list)
    schedule: list[list[str]] = field(default_factory=list)
    closing: str = ""


def _decision_of(application: Application) -> Decision:
    decision = (
        get_session()
        .scalars(
            select(Decision)
            .where(Decision.application_id == application.id)
            .order_by(Decision.id.desc())
        )
        .first()
    )
    if decision is None:
        abort(404)  # no letter before a decision
    return decision


def letter_content(application: Application, lang: str) -> Letter:
    """The letter's words and figures in ``lang``."""
    session = get_session()
    decision = _decision_of(application)
    enterprise = session.get(Enterprise, application.enterprise_id)
    lender = session.get(Lender, application.lender_id)
    record = decisions.latest_score(session, application.id)
    assert enterprise is not None and lender is not None  # foreign keys
    with force_locale(lang):
        text_key = f"text_{lang}"
        letter = Letter(
            lang=lang,
            title=_("Decision on your loan application"),
            lender=lender.name,
            contact=lender.contact or "",
            date=day(decision.decided_on),
            to=f"{enterprise.owner_name} · {enterprise.name}",
            reference=_(
                "Application %(id)d of %(day)s", id=application.id, day=day(application.applied_on)
            ),
        )
        if decision.outcome == "approve":
            loan = session.scalar(select(Loan).where(Loan.application_id == application.id))
            letter.paragraphs.append(
                _("We are pleased to tell you that your application is approved.")
            )
            if loan is not None:
                letter.terms = [
                    (_("Amount"), rupiah(loan.principal)),
                    (_("Tenor"), _("%(n)d months", n=loan.tenor)),
                    (_("Interest rate per year"), percent(float(loan.annual_rate), 2)),
                    (_("Grace on principal"), _("%(n)d months", n=loan.grace_principal)),
                ]
                rows = session.scalars(
                    select(Installment)
                    .where(
                        Installment.loan_id == loan.id,
                        Installment.schedule_version == loan.schedule_version,
                    )
                    .order_by(Installment.number)
                ).all()
                letter.schedule_title = _("Repayment schedule")
                letter.schedule_head = [
                    _("No."),
                    _("Due date"),
                    _("Principal"),
                    _("Interest"),
                    _("Instalment"),
                ]
                letter.schedule = [
                    [
                        str(r.number),
                        day(r.due_on),
                        rupiah(r.principal_due),
                        rupiah(r.interest_due),
                        rupiah(r.principal_due + r.interest_due),
                    ]
                    for r in rows
                ]
        elif decision.outcome == "decline":
            letter.paragraphs.append(_("We regret that we cannot approve your application now."))
            letter.paragraphs.append(
                _(
                    "Reason: %(reason)s",
                    reason=labels.label(labels.DECLINE_REASONS, decision.reason_code),
                )
            )
            if record is not None:
                letter.reasons_title = _("The main reasons in your data")
                letter.reasons = [
                    str(r.get(text_key)) for r in record.reasons if not r.get("positive")
                ]
                steps = explanation.recourse_steps(session, record)
                if steps:
                    letter.recourse_title = _("What would improve your chances")
                    letter.recourse = [
                        _(
                            "%(step)s (score about %(score)d)",
                            step=s.get(text_key),
                            score=s.get("score"),
                        )
                        for s in steps
                    ]
        else:
            letter.paragraphs.append(
                _(
                    "Your application is being reviewed by a senior officer. "
                    "We will contact you soon."
                )
            )
        letter.closing = _(
            "For questions, contact %(lender)s: %(contact)s",
            lender=lender.name,
            contact=lender.contact or "-",
        )
    return letter


def _lang() -> str:
    from .i18n import lang

    chosen = request.args.get("lang")
    return chosen if chosen in ("id", "en") else lang()


@bp.get("/applications/<int:application_id>/letter")
@role_required("loan_officer")
def letter_page(application_id: int) -> Any:
    """Show the printable decision letter."""
    application = lender_object(Application, application_id)
    letter = letter_content(application, _lang())
    return render_template("web/letter.html", letter=letter, application=application)


@bp.get("/applications/<int:application_id>/letter.pdf")
@role_required("loan_officer")
def letter_pdf(application_id: int) -> Response:
    """Download the decision letter as a PDF."""
    application = lender_object(Application, application_id)
    letter = letter_content(application, _lang())
    body = render_pdf(letter)
    name = f"letter-{application.id}-{letter.lang}.pdf"
    return Response(
        body,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


def render_pdf(letter: Letter) -> bytes:
    """Lay the letter out on A4 pages."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(letter.title)
    pdf.set_lang(letter.lang)
    pdf.add_page()
    width = pdf.epw

    def text(value: str, size: int = 10, style: str = "", gap: float = 2) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.multi_cell(width, size * 0.5, value, new_x="LMARGIN", new_y="NEXT", align="L")
        pdf.ln(gap)

    text(letter.lender, 14, "B", 0)
    text(letter.contact, 8)
    text(letter.date)
    text(letter.to, 10, "B", 0)
    text(letter.reference, 9, "", 4)
    text(letter.title, 13, "B", 3)
    for paragraph in letter.paragraphs:
        text(paragraph)
    if letter.terms:
        pdf.set_font("DejaVu", "", 10)
        for name, value in letter.terms:
            pdf.cell(width * 0.4, 6, name)
            pdf.cell(width * 0.6, 6, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
    for title, items in (
        (letter.reasons_title, letter.reasons),
        (letter.recourse_title, letter.recourse),
    ):
        if items:
            text(title, 11, "B", 1)
            for item in items:
                text(f"• {item}", 10, "", 1)
            pdf.ln(2)
    if letter.schedule:
        text(letter.schedule_title, 11, "B", 1)
        pdf.set_font("DejaVu", "", 8)
        align = ("RIGHT", "LEFT", "RIGHT", "RIGHT", "RIGHT")
        with pdf.table(
            col_widths=(8, 22, 24, 22, 24),
            text_align=align,
            line_height=4.5,
            first_row_as_headings=True,
        ) as table:
            table.row(letter.schedule_head)
            for row in letter.schedule:
                table.row(row)
        pdf.ln(3)
    text(letter.closing, 9)
    return bytes(pdf.output())

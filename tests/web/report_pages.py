"""Helpers of the report page tests: read one table row or figure out of a page, and a
scientist who may not open the managers' pages."""

from __future__ import annotations

import io
import re
from html import unescape
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from creditapp.services import access
from creditapp.services.audit import Actor
from tests.web.conftest import PASSWORD

PAGES = ("/reports/", "/reports/volume", "/reports/cost", "/reports/graduation",
         "/reports/inclusion", "/reports/provisions")  # fmt: skip
NBSP = "\u00a0"


def add_scientist(session: Session) -> str:
    access.create_user(
        session,
        Actor.system(),
        email="scientist@p.test",
        name="scientist",
        role="data_scientist",
        password=PASSWORD,
        lender=None,
    )
    session.commit()
    return "scientist@p.test"


def text(html: str) -> str:
    """The page's words without tags, entities resolved, spaces collapsed (NBSP kept)."""
    words = unescape(re.sub(r"<[^>]+>", " ", html))
    return re.sub(r"[ \t\r\n]+", " ", words)


def element(html: str, element_id: str, tag: str = "tr") -> str:
    """The text of the ``<tag id="element_id">`` element of the page."""
    match = re.search(rf'<{tag}[^>]*id="{re.escape(element_id)}"[^>]*>(.*?)</{tag}>', html, re.S)
    assert match, f"no <{tag} id={element_id}> on the page"
    return text(match.group(1))


def rows_of(html: str, table_id: str) -> list[str]:
    """The text of each body row of the table ``table_id``."""
    match = re.search(rf'<table[^>]*id="{re.escape(table_id)}"[^>]*>(.*?)</table>', html, re.S)
    assert match, f"no table {table_id} on the page"
    body = re.search(r"<tbody>(.*?)</tbody>", match.group(1), re.S)
    assert body
    return [text(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)]


def rp(amount: int) -> str:
    """``Rp 12.500.000`` with the no-break space the pages use (Indonesian grouping)."""
    return f"Rp{NBSP}{amount:,}".replace(",", ".")


def sheet_rows(client: FlaskClient, url: str, sheet: str = "rows") -> list[dict[str, Any]]:
    """Download ``url`` as XLSX and read the sheet's rows as dicts."""
    resp = client.get(url)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    book = load_workbook(io.BytesIO(resp.data))
    values = list(book[sheet].iter_rows(values_only=True))
    return [dict(zip(values[0], row, strict=True)) for row in values[1:]]

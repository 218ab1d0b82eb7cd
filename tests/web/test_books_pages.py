"""``/books/``: the trial balance, an account statement and the journal CSV for managers."""

from __future__ import annotations

import csv
import io

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from creditapp.models import CreditProgram
from tests.factories import loans as lf
from tests.web.conftest import People, sign_in


def test_a_manager_reads_the_trial_balance_statement_and_journal(
    client: FlaskClient, session: Session, people: People
) -> None:
    loan = lf.active_loan(session)  # Rp 50.000.000 disbursed on 3 Nov 2026
    session.commit()
    sign_in(client, people.manager.email)
    page = client.get("/books/?as_of=2026-11-30")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    # cash and loans receivable: debit 50 jt, credit 50 jt; totals 50 jt each
    # cash credit and balance (-), loans receivable debit and balance, the two totals
    assert html.count("Rp\u00a050.000.000") == 6
    assert "-Rp\u00a050.000.000" in html  # cash, on its debit side
    assert "Debit sama dengan kredit." in html
    program = session.get(CreditProgram, loan.program_id)
    assert program is not None and f"1201-{program.code}" in html
    statement = client.get("/books/statement?account=1101&from=2026-11-01&to=2026-11-30")
    assert statement.status_code == 200
    assert 'id="closing">-Rp\u00a050.000.000' in statement.get_data(as_text=True)
    exported = client.get("/books/journal.csv?from=2026-11-01&to=2026-11-30")
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(exported.get_data(as_text=True))))
    assert rows[0][0] == "entry_id" and len(rows) == 3


def test_bad_dates_and_accounts_are_form_errors(
    client: FlaskClient, session: Session, people: People
) -> None:
    sign_in(client, people.manager.email)
    page = client.get("/books/?as_of=31-10-2026")
    assert page.status_code == 422 and 'href="#as_of"' in page.get_data(as_text=True)
    page = client.get("/books/statement?account=NOPE&from=2026-11-01&to=2026-11-30")
    assert page.status_code == 422 and 'href="#account"' in page.get_data(as_text=True)
    page = client.get("/books/statement?account=1101&from=2026-11-30&to=2026-11-01")
    assert page.status_code == 422 and 'href="#to"' in page.get_data(as_text=True)
    assert client.get("/books/journal.csv?from=x").status_code == 422


def test_loan_officers_may_not_open_the_books(
    client: FlaskClient, session: Session, people: People
) -> None:
    sign_in(client, people.officer.email)
    assert client.get("/books/").status_code == 403
    assert client.get("/books/journal.csv").status_code == 403

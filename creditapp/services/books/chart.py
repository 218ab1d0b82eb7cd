"""The chart of accounts: the default KUR book, and finding an account by role and program.

Roles kept per program (loans receivable, accrued interest, interest and subsidy income,
subsidy receivable) get one account per credit program, created from the template the first
time a posting needs it (code ``<template>-<program code>``); every other role has one
account for the whole book. A role the chart does not know is refused: postings can only
reach accounts that exist in the chart.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from sqlalchemy import Engine, event, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ...errors import DomainError
from ...models import Account, CreditProgram


@dataclass(frozen=True)
class AccountTemplate:
    """One account of the default chart."""

    code: str
    role: str
    type: str
    normal_side: str
    name_id: str
    name_en: str
    per_program: bool = False


DEFAULT_CHART: tuple[AccountTemplate, ...] = (
    AccountTemplate(
        "1101",
        "cash",
        "asset",
        "debit",
        "Kas dan rekening penyelesaian",
        "Cash and settlement account",
    ),
    AccountTemplate(
        "1201",
        "loans_receivable",
        "asset",
        "debit",
        "Kredit yang diberikan",
        "Loans receivable",
        per_program=True,
    ),
    AccountTemplate(
        "1202",
        "interest_receivable",
        "asset",
        "debit",
        "Pendapatan bunga yang masih harus diterima",
        "Accrued interest receivable",
        per_program=True,
    ),
    AccountTemplate(
        "1203",
        "subsidy_receivable",
        "asset",
        "debit",
        "Piutang subsidi bunga pemerintah",
        "Interest subsidy receivable (government)",
        per_program=True,
    ),
    AccountTemplate(
        "1204",
        "guarantee_claim_receivable",
        "asset",
        "debit",
        "Piutang klaim penjaminan",
        "Guarantee claims receivable",
    ),
    AccountTemplate(
        "1209",
        "allowance",
        "asset",
        "credit",
        "Cadangan kerugian penurunan nilai",
        "Allowance for impairment losses (CKPN)",
    ),
    AccountTemplate(
        "2101",
        "borrower_credit",
        "liability",
        "credit",
        "Titipan debitur",
        "Borrower credit balances",
    ),
    AccountTemplate(
        "2102",
        "guarantor_payable",
        "liability",
        "credit",
        "Utang subrogasi kepada penjamin",
        "Subrogation share owed to the guarantor",
    ),
    AccountTemplate(
        "2103",
        "ijp_payable",
        "liability",
        "credit",
        "Utang imbal jasa penjaminan",
        "Guarantee fee (IJP) payable",
    ),
    AccountTemplate("3101", "equity", "equity", "credit", "Modal", "Equity"),
    AccountTemplate(
        "4101",
        "interest_income",
        "income",
        "credit",
        "Pendapatan bunga",
        "Interest income",
        per_program=True,
    ),
    AccountTemplate(
        "4102",
        "subsidy_income",
        "income",
        "credit",
        "Pendapatan subsidi bunga",
        "Interest subsidy income",
        per_program=True,
    ),
    AccountTemplate(
        "4103", "penalty_income", "income", "credit", "Pendapatan denda", "Penalty income"
    ),
    AccountTemplate(
        "4104",
        "recovery_income",
        "income",
        "credit",
        "Pendapatan pemulihan kredit hapus buku",
        "Recoveries of written-off loans",
    ),
    AccountTemplate(
        "4105",
        "guarantee_claim_income",
        "income",
        "credit",
        "Pendapatan klaim penjaminan",
        "Guarantee claims received",
    ),
    AccountTemplate(
        "5101", "write_off_expense", "expense", "debit", "Beban hapus buku", "Write-off expense"
    ),
    AccountTemplate(
        "5102",
        "provision_expense",
        "expense",
        "debit",
        "Beban CKPN",
        "Impairment (provision) expense",
    ),
    AccountTemplate(
        "5103",
        "ijp_expense",
        "expense",
        "debit",
        "Beban imbal jasa penjaminan",
        "Guarantee fee (IJP) expense",
    ),
)
TEMPLATES = {t.role: t for t in DEFAULT_CHART}
PER_PROGRAM_ROLES = frozenset(t.role for t in DEFAULT_CHART if t.per_program)
_CACHE_KEY = "books.account_ids"


class UnknownAccount(DomainError):
    """A posting named a role (or program) the chart does not have."""


# Accounts are never deleted and their ids never change, so once committed an id holds for
# every later transaction on the same engine. Keeping them saves every repayment a read of
# the chart. Only what a session saw in a real COMMIT of its own is promoted: a savepoint
# release is not one, nor is the commit of a session bound to a Connection whose outer
# transaction someone else may still roll back (the tests bind sessions that way).
_COMMITTED: weakref.WeakKeyDictionary[object, dict[tuple[str, int | None], int]] = (
    weakref.WeakKeyDictionary()
)


@event.listens_for(Session, "after_soft_rollback")
def _forget_accounts(session: Session, _previous: object) -> None:
    # Accounts created in a rolled-back transaction must not be remembered.
    session.info.pop(_CACHE_KEY, None)


@event.listens_for(Session, "after_commit")
def _remember_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction may still roll back
    seen = session.info.pop(_CACHE_KEY, None)
    bind = session.get_bind()
    if seen and isinstance(bind, Engine):
        _COMMITTED.setdefault(bind, {}).update(seen)


def _new_account(template: AccountTemplate, program: CreditProgram | None) -> Account:
    suffix = f"-{program.code}" if program is not None else ""
    names = f" — {program.code}" if program is not None else ""
    return Account(
        code=f"{template.code}{suffix}",
        role=template.role,
        type=template.type,
        normal_side=template.normal_side,
        name_id=template.name_id + names,
        name_en=template.name_en + names,
        program_id=program.id if program is not None else None,
    )


def seed_chart(session: Session) -> int:
    """Create the default KUR chart (and per-program accounts of every program) where missing.

    Returns:
        The number of accounts created (0 on a second run).
    """
    existing = {(a.role, a.program_id) for a in session.scalars(select(Account))}
    programs = list(session.scalars(select(CreditProgram).order_by(CreditProgram.id)))
    created = 0
    for template in DEFAULT_CHART:
        for program in programs if template.per_program else [None]:
            key = (template.role, program.id if program is not None else None)
            if key not in existing:
                session.add(_new_account(template, program))
                created += 1
    session.flush()
    return created


def account_id(session: Session, role: str, program_id: int | None = None) -> int:
    """The id of the account for ``role`` (and ``program_id`` for per-program roles).

    Raises:
        UnknownAccount: the role is not in the chart, a per-program role came without a
            program (or with an unknown one), or a book-wide role came with a program.
    """
    template = TEMPLATES.get(role)
    if template is None:
        raise UnknownAccount(f"no account role {role!r}", {"role": [f"unknown role {role!r}"]})
    if template.per_program and program_id is None:
        raise UnknownAccount(f"{role} is kept per program", {"program_id": ["required"]})
    key_program = program_id if template.per_program else None
    committed = _COMMITTED.get(session.get_bind())
    if committed is not None and (role, key_program) in committed:
        return committed[(role, key_program)]
    cache: dict[tuple[str, int | None], int] | None = session.info.get(_CACHE_KEY)
    if cache is None:
        # The chart is a few dozen rows: read it whole once per session, not once per line.
        with session.no_autoflush:  # a flush here would split the caller's batched inserts
            cache = {
                (role_, program_): id_
                for id_, role_, program_ in session.execute(
                    select(Account.id, Account.role, Account.program_id)
                )
            }
        session.info[_CACHE_KEY] = cache
    found = cache.get((role, key_program))
    if found is not None:
        return found
    program = session.get(CreditProgram, key_program) if key_program is not None else None
    if key_program is not None and program is None:
        raise UnknownAccount(f"no program {key_program}", {"program_id": ["not found"]})
    found = _insert_once(session, _new_account(template, program))
    cache[(role, key_program)] = found
    return found


def _insert_once(session: Session, account: Account) -> int:
    """Insert ``account`` unless its code exists, and return the id of the one that does.

    Two requests posting the first entry of a new program at once would both create its
    accounts; ON CONFLICT DO NOTHING waits for the other's transaction and then finds its row
    (a plain INSERT answered one of them with a unique violation, a 500).
    """
    session.flush()
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    columns = ("code", "role", "type", "normal_side", "name_id", "name_en", "program_id")
    values = {c: getattr(account, c) for c in columns}
    session.execute(
        insert(Account).values(**values).on_conflict_do_nothing(index_elements=["code"])
    )
    found = session.scalar(select(Account.id).where(Account.code == account.code))
    assert found is not None  # inserted now, or by the transaction we waited for
    return int(found)

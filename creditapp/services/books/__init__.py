"""The general ledger: chart of accounts, the posting API, posting rules, accrual, statements.

Other services journal money through ``journal.post_entry`` (lines addressed by account
role and program) or, for loan movements, through ``posting_rules.journal_movement``; no
route or API writes journal lines directly.
"""

from .chart import DEFAULT_CHART, seed_chart
from .journal import LedgerError, Line, post_entry, reverse_entry

__all__ = ["DEFAULT_CHART", "LedgerError", "Line", "post_entry", "reverse_entry", "seed_chart"]

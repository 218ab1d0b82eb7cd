"""Loan lifecycle services: approval, disbursement, repayment, ageing, servicing, subsidy.

Every function takes a ``Session``, flushes and never commits; business dates are
arguments, never the clock.
"""

from .ageing import AgeingSummary, age_loans
from .approval import approve_application, decline_application, refer_application
from .disbursement import confirm_disbursement, reject_disbursement, request_disbursement
from .ledger import LedgerBalances, post_movement, rebuild_balances
from .reageing import reage_loan
from .recovery import record_claim_payment, record_recovery
from .repayment import RepaymentResult, post_repayment
from .reversal import approve_reversal, refund_credit, request_reversal
from .servicing import approve_write_off, request_write_off, restructure_loan
from .subsidy import accrue_subsidy

__all__ = [
    "AgeingSummary",
    "LedgerBalances",
    "RepaymentResult",
    "accrue_subsidy",
    "age_loans",
    "approve_application",
    "approve_write_off",
    "confirm_disbursement",
    "decline_application",
    "post_movement",
    "post_repayment",
    "reage_loan",
    "rebuild_balances",
    "record_claim_payment",
    "record_recovery",
    "refer_application",
    "refund_credit",
    "reject_disbursement",
    "approve_reversal",
    "request_reversal",
    "request_disbursement",
    "request_write_off",
    "restructure_loan",
]

"""Claim cycles of a channelling lender: the monthly interest-subsidy claim to the government
and the credit guarantee (covers, IJP, claim decisions, subrogation).

Every function takes a ``Session``, flushes and never commits; dates are arguments.
"""

from .guarantees import (
    create_guarantor,
    guarantor_by_code,
    open_cover,
    pay_subrogation_share,
    record_ijp_payment,
    reject_guarantee_claim,
    set_program_guarantee,
)
from .subsidy_claims import (
    ClaimLineInput,
    build_subsidy_claims,
    record_subsidy_claim_payment,
    reject_subsidy_claim_line,
    submit_subsidy_claim,
    verify_subsidy_claim,
)

__all__ = [
    "ClaimLineInput",
    "build_subsidy_claims",
    "create_guarantor",
    "guarantor_by_code",
    "open_cover",
    "pay_subrogation_share",
    "record_ijp_payment",
    "record_subsidy_claim_payment",
    "reject_guarantee_claim",
    "reject_subsidy_claim_line",
    "set_program_guarantee",
    "submit_subsidy_claim",
    "verify_subsidy_claim",
]

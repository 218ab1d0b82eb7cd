"""SQLAlchemy 2.0 typed models: the whole data model of the platform."""

from .access import ApiKey, Lender, User
from .altdata import (
    Certification,
    CooperativeLoan,
    CooperativeMembership,
    CooperativeSaving,
    ExportRecord,
    MarketplaceMonth,
    Partnership,
    Transaction,
)
from .application import Application, Decision, IdempotencyRecord, ScoreRecord
from .base import Base
from .books import Account, InterestAccrual, InterestAccrualRun, JournalEntry, JournalLine
from .claims import (
    GuaranteeCover,
    Guarantor,
    ProgramGuarantee,
    SubrogationPayment,
    SubsidyClaim,
    SubsidyClaimLine,
)
from .enterprise import Enterprise, SizeObservation
from .loan import (
    AgeingRun,
    Disbursement,
    Installment,
    Loan,
    LoanMovement,
    LoanStatus,
    Repayment,
    RepaymentAllocation,
)
from .loan_requests import RestructuringRequest
from .program import CreditProgram, ProgramLenderQuota, ProgramTerms
from .provisioning import (
    LoanProvision,
    ProgramProvisioning,
    ProvisionMovement,
    ProvisionRun,
    ProvisionTotal,
)
from .registry import AuditEvent, ModelVersion
from .servicing import (
    GuaranteeClaim,
    ProgramServicing,
    Recovery,
    RepaymentReversal,
    Restructuring,
    SubsidyAccrual,
    WriteOff,
)
from .web import ApprovalRequest, SignInFailure

__all__ = [
    "SubsidyClaimLine",
    "SubsidyClaim",
    "SubrogationPayment",
    "ProgramGuarantee",
    "Guarantor",
    "GuaranteeCover",
    "Account",
    "InterestAccrual",
    "InterestAccrualRun",
    "JournalEntry",
    "JournalLine",
    "AgeingRun",
    "ApiKey",
    "ApprovalRequest",
    "Application",
    "AuditEvent",
    "Base",
    "Certification",
    "CooperativeLoan",
    "CooperativeMembership",
    "CooperativeSaving",
    "CreditProgram",
    "Decision",
    "Disbursement",
    "Enterprise",
    "ExportRecord",
    "GuaranteeClaim",
    "IdempotencyRecord",
    "Installment",
    "Lender",
    "Loan",
    "LoanMovement",
    "LoanProvision",
    "LoanStatus",
    "MarketplaceMonth",
    "ModelVersion",
    "Partnership",
    "ProgramLenderQuota",
    "ProgramProvisioning",
    "ProvisionMovement",
    "ProvisionRun",
    "ProvisionTotal",
    "ProgramServicing",
    "ProgramTerms",
    "Recovery",
    "Repayment",
    "RepaymentAllocation",
    "RepaymentReversal",
    "Restructuring",
    "RestructuringRequest",
    "ScoreRecord",
    "SignInFailure",
    "SizeObservation",
    "SubsidyAccrual",
    "Transaction",
    "User",
    "WriteOff",
]

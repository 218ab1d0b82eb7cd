"""Words for the codes the pages show: one place, translated through the message catalog.

Reason texts, recourse steps and policy rule texts are not here: they come in id and en with
each score result from ``scoring`` and are shown as they are stored.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

CHARACTERISTICS = {
    "track record": _l("Track record"),
    "cash-flow regularity": _l("Cash-flow regularity"),
    "cash-flow level": _l("Cash-flow level"),
    "cash-flow stability": _l("Cash-flow stability"),
    "spending vs income": _l("Spending vs income"),
    "cash-flow trend": _l("Cash-flow trend"),
    "digital payments": _l("Digital payments"),
    "online sales": _l("Online sales"),
    "customer satisfaction": _l("Customer satisfaction"),
    "cooperative membership": _l("Cooperative membership"),
    "cooperative savings record": _l("Cooperative savings record"),
    "earlier cooperative loans": _l("Earlier cooperative loans"),
    "certifications": _l("Certifications"),
    "partnerships": _l("Partnerships"),
    "exports": _l("Exports"),
    "business maturity": _l("Business maturity"),
    "business size": _l("Business size"),
    "credit history": _l("Credit history"),
    "existing debt": _l("Existing debt"),
    "loan size": _l("Loan size"),
    "affordability": _l("Affordability"),
}
STATUSES = {
    "submitted": _l("Submitted"),
    "scored": _l("Scored"),
    "approved": _l("Approved"),
    "declined": _l("Declined"),
    "referred": _l("Referred"),
    "withdrawn": _l("Withdrawn"),
}
OUTCOMES = {"approve": _l("Approve"), "decline": _l("Decline"), "refer": _l("Refer")}
PURPOSES = {"working_capital": _l("Working capital"), "investment": _l("Investment")}
SOURCES = {
    "transactions": _l("Transactions"),
    "digital_sales": _l("Online sales"),
    "cooperative": _l("Cooperative"),
    "profile": _l("Business profile"),
    "certifications": _l("Certifications"),
    "partnerships": _l("Partnerships"),
    "exports": _l("Exports"),
    "request": _l("Loan request"),
}
OVERRIDE_REASONS = {
    "additional_information": _l("Additional information not in the data"),
    "collateral_or_guarantor": _l("Collateral or guarantor offered"),
    "relationship_history": _l("Known repayment history with us"),
    "data_error": _l("The data scored contains an error"),
    "policy_exception": _l("Approved program exception"),
    "risk_concern": _l("Risk the model does not see"),
}
DECLINE_REASONS = {
    "score_too_low": _l("Score too low"),
    "policy_rule_failed": _l("A program rule is not met"),
    "affordability": _l("Instalment not affordable"),
    "incomplete_documents": _l("Documents incomplete"),
    "fraud_suspicion": _l("Doubts about the data given"),
    "other": _l("Other reason"),
}
# Field error codes of services.decisions
ERRORS = {
    "required": _l("This field is required."),
    "required_for_override": _l("Required when deciding against the recommendation."),
    "invalid_choice": _l("Choose one of the options."),
    "four_eyes_same_officer": _l("A second officer must confirm, not the one who asked."),
    "senior_required": _l(
        "This application is referred to a senior officer: only a senior officer of your "
        "lender may decide it."
    ),
    "no_senior": _l("Your lender has no other senior officer to refer to."),
    "not_a_senior": _l("Choose a senior officer of your lender."),
    # regulatory.debtor_check
    "debtor_has_kur": _l(
        "The owner (same NIK) already holds a KUR loan on the platform: one KUR at a time."
    ),
    "debtor_has_other_credit": _l(
        "The owner (same NIK) holds other productive credit on the platform, which this "
        "program does not allow."
    ),
}


def words(table: dict[str, object]) -> dict[str, str]:
    """The table with its words in the current language (for loops over many rows)."""
    return {code: str(text) for code, text in table.items()}


def label(table: dict[str, object], code: str | None) -> str:
    """The words for ``code``, or the code itself when it has none."""
    if code is None:
        return "–"
    return str(table.get(code, code))

"""Navigation by role: an entry shows only to its roles and only once its page exists."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

# (endpoint, label, roles). Endpoints of pages built elsewhere (loans, collection sheet,
# reports, models) appear in the menu as soon as their blueprint registers them.
ENTRIES = (
    ("officer.queue_view", _l("Queue"), ("loan_officer",)),
    ("loan_pages.index", _l("Loans"), ("loan_officer",)),
    ("loan_pages.collection_sheet", _l("Collection sheet"), ("loan_officer",)),
    ("report_pages.index", _l("Reports"), ("program_manager", "admin")),
    ("claim_pages.index", _l("Claims"), ("program_manager", "admin")),
    ("books.index", _l("Books"), ("program_manager", "admin")),
    ("model_pages.index", _l("Models"), ("data_scientist", "admin")),
    ("admin_programs.index", _l("Programs"), ("program_manager", "admin")),
    (
        "regulatory_pages.index",
        _l("Regulatory files"),
        ("loan_officer", "program_manager", "admin"),
    ),
    (
        "account.password",
        _l("Password"),
        ("loan_officer", "program_manager", "data_scientist", "admin"),
    ),
)


def nav_items() -> list[dict[str, Any]]:
    """The menu entries the current user may follow."""
    if not current_user.is_authenticated:
        return []
    items = []
    for endpoint, label, roles in ENTRIES:
        if current_user.role in roles and endpoint in current_app.view_functions:
            items.append(
                {
                    "url": url_for(endpoint),
                    "label": label,
                    "current": request.endpoint == endpoint,
                }
            )
    return items


def init_app(app: Flask) -> None:
    """Give every template the menu and the language switch."""

    @app.context_processor
    def navigation() -> dict[str, Any]:
        return {"nav_items": nav_items}

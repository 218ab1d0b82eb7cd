"""The web workspace: sign-in, the officers' pages, language and security for every page.

``init_app`` binds Flask-Login and Flask-Babel, sets the session cookie and the security
headers, and registers the blueprints. Every view is guarded by ``authz.role_required`` (or
is one of the few public ones listed in ``authz.PUBLIC_ENDPOINTS``); a test checks that.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register sessions, languages, headers and the web blueprints."""
    from . import (  # noqa: F401  (routes on loan_base.bp, model_registry.bp, claims.bp)
        account,
        admin_programs,
        assets,
        auth,
        books,
        claims,
        claims_guarantees,
        claims_guarantors,
        collection,
        decide,
        headers,
        home,
        i18n,
        letter,
        loan_base,
        loan_requests,
        loans,
        model_compare_page,
        model_registry,
        models_pages,
        monthly_pdf,
        nav,
        officer,
        regulatory,
        reports,
    )

    headers.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    assets.init_app(app)
    nav.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(account.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(officer.bp)
    app.register_blueprint(decide.bp)
    app.register_blueprint(letter.bp)
    app.register_blueprint(loan_base.bp)
    app.register_blueprint(reports.bp)  # with monthly_pdf's route
    app.register_blueprint(books.bp)
    app.register_blueprint(models_pages.bp)
    app.register_blueprint(model_registry.bp)  # with model_compare_page's route
    app.register_blueprint(admin_programs.bp)
    app.register_blueprint(claims.bp)  # with claims_guarantors' routes
    app.register_blueprint(regulatory.bp)

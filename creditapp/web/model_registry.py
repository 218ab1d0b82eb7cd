"""The data scientists' model registry pages: versions, a version and its model card,
promotion and rollback behind a confirmation page.

Promotion and rollback go through ``services.models``, which audits them; the confirmation
page carries the champion it showed, so a confirmation overtaken by someone else's change
is refused rather than applied to a state the user never saw. The comparison page lives in
``model_compare_page``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..db import get_session
from ..errors import DomainError
from ..models import AuditEvent, ModelVersion, User
from ..services import models
from .authz import role_required
from .i18n import lang
from .model_forms import ConfirmForm
from .reports import SCIENTISTS

bp = Blueprint("model_registry", __name__, url_prefix="/models")

CARD_FILE = "model_card.html"
_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
NONE = "'none'"
MIN_HOLDOUT_BADS = 50  # as training.report: fewer make an AUC say little (no import here)


@dataclass(frozen=True)
class VersionSummary:
    """What the registry shows of one version, read from its manifest metrics."""

    mv: ModelVersion
    auc: float | None
    ci_low: float | None  # None: trained before intervals were recorded, or elsewhere
    ci_high: float | None
    rows: int | None
    bads: int | None
    registered_by: str

    @property
    def few_bads(self) -> bool:
        return self.bads is not None and self.bads < MIN_HOLDOUT_BADS


def summarize(mv: ModelVersion, registered_by: str = "–") -> VersionSummary:
    """AUC, interval and holdout counts from ``mv.metrics`` (older bundles lack some)."""
    m = mv.metrics or {}
    auc = m.get("auc", m.get("holdout_auc"))
    rows, bad_rate = m.get("rows"), m.get("bad_rate")
    bads = m.get("holdout_bads")
    if bads is None and rows is not None and bad_rate is not None:
        bads = round(float(rows) * float(bad_rate))  # older bundles: the rate times the rows
    low, high = m.get("auc_ci_low"), m.get("auc_ci_high")
    return VersionSummary(
        mv,
        None if auc is None else float(auc),
        None if low is None else float(low),
        None if high is None else float(high),
        None if rows is None else int(rows),
        None if bads is None else int(bads),
        registered_by,
    )


def registrars(session: Session, ids: list[int]) -> dict[int, str]:
    """Who registered each version, from the audit log (``model.register`` events)."""
    events = session.execute(
        select(AuditEvent.entity_id, AuditEvent.actor_type, AuditEvent.actor_id).where(
            AuditEvent.entity == "model_version",
            AuditEvent.action == "model.register",
            AuditEvent.entity_id.in_(ids),
        )
    ).all()
    user_ids = {a for _e, t, a in events if t == "user" and a is not None}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(user_ids))).all())
    out: dict[int, str] = {}
    for entity_id, actor_type, actor_id in events:
        if entity_id is not None:
            if actor_type != "user":
                who = _("system (command line)")
            else:
                who = names.get(actor_id, "–") if actor_id is not None else "–"
            out[entity_id] = who
    return out


@bp.app_template_filter("fixed")
def fixed(value: float | None, digits: int = 4, sign: bool = False) -> str:
    """A metric with ``digits`` decimals and the language's decimal mark (``0,7761``)."""
    if value is None:
        return "–"
    text = f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"
    return text.replace(".", ",") if lang() == "id" else text


def find_version(session: Session, name: str, version: str) -> ModelVersion:
    """The registered version, or 404."""
    mv = session.scalar(
        select(ModelVersion).where(ModelVersion.name == name, ModelVersion.version == version)
    )
    if mv is None:
        abort(404)
    return mv


def card_path(mv: ModelVersion) -> Path:
    """``train`` writes the card beside the bundle: ``MODEL_DIR/NAME/VERSION.card/``."""
    return Path(mv.path).parent / f"{mv.version}.card" / CARD_FILE


@bp.get("/versions")
@role_required(*SCIENTISTS)
def versions() -> Any:
    """List every registered version with its holdout AUC and standing."""
    session = get_session()
    rows = session.scalars(
        select(ModelVersion).order_by(ModelVersion.name, ModelVersion.id.desc())
    ).all()
    who = registrars(session, [mv.id for mv in rows])
    summaries = [summarize(mv, who.get(mv.id, "–")) for mv in rows]
    rollback_names = sorted(
        mv.name for mv in rows if mv.is_champion and models.previous_champion(session, mv)
    )
    return render_template(
        "web/models/versions.html", summaries=summaries, rollback_names=rollback_names
    )


@bp.get("/versions/<name>/<version>")
@role_required(*SCIENTISTS)
def version_view(name: str, version: str) -> Any:
    """Show one version: metrics, manifest facts, history and what can be done with it."""
    session = get_session()
    mv = find_version(session, name, version)
    history = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.entity == "model_version", AuditEvent.entity_id == mv.id)
        .order_by(AuditEvent.id)
    ).all()
    who = registrars(session, [mv.id])
    users = {
        u.id: u.name
        for u in session.scalars(
            select(User).where(User.id.in_({e.actor_id for e in history if e.actor_type == "user"}))
        )
    }
    return render_template(
        "web/models/version.html",
        s=summarize(mv, who.get(mv.id, "–")),
        history=history,
        users=users,
        has_card=card_path(mv).is_file(),
        previous=models.previous_champion(session, mv) if mv.is_champion else None,
    )


@bp.get("/versions/<name>/<version>/card")
@role_required(*SCIENTISTS)
def card(name: str, version: str) -> Any:
    """Serve the model card ``train`` wrote, under a policy that runs no script at all.

    The card is one self-contained file (inline CSS, PNG plots as data URIs). Its own
    policy allows exactly its style blocks (by hash) and data: images, and sandboxes the
    page, so even a tampered card could not run script or send a form.
    """
    mv = find_version(get_session(), name, version)
    path = card_path(mv)
    if not path.is_file():
        abort(404)
    text = path.read_text(encoding="utf-8")
    styles = [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _STYLE.findall(text)
    ]
    resp = Response(text, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = (
        f"default-src 'none'; img-src data:; style-src {' '.join(styles) or NONE}; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'; sandbox"
    )
    return resp


def _confirm(
    action: str,
    name: str,
    current: ModelVersion | None,
    target: ModelVersion | None,
    back: str,
    apply: Callable[[], ModelVersion],
) -> Any:
    """The confirmation page of a champion change; on a valid POST, apply it and commit.

    Refuses (409) a POST whose ``expected`` champion is no longer the champion, and shows
    a refusal of ``services.models`` (a bundle that no longer verifies) on the page.
    """
    session = get_session()
    form = ConfirmForm()
    problem, status = None, 200
    if target is None:
        problem, status = _("%(name)s has no earlier champion to roll back to.", name=name), 409
    elif form.validate_on_submit():
        if (form.expected.data or "") != (current.version if current else ""):
            problem = _(
                "The champion changed while this page was open. Check the change "
                "below and confirm again."
            )
            status = 409
        else:
            try:
                mv = apply()
                session.commit()
            except DomainError as exc:
                session.rollback()
                problem = "; ".join([exc.message, *sum(exc.errors.values(), [])])
                status = exc.status_code
            else:
                flash(_("%(v)s is now the champion of %(name)s.", v=mv.version, name=name))
                return redirect(url_for("model_registry.versions"))
    form.expected.data = current.version if current else ""
    summaries = {k: summarize(v) for k, v in (("before", current), ("after", target)) if v}
    page = render_template(
        "web/models/confirm.html",
        action=action,
        name=name,
        before=current,
        after=target,
        s=summaries,
        form=form,
        back=back,
        problem=problem,
    )
    return page, status


@bp.route("/versions/<name>/<version>/promote", methods=["GET", "POST"])
@role_required(*SCIENTISTS)
def promote(name: str, version: str) -> Any:
    """Confirm, then make this version the champion of its model (audited)."""
    session = get_session()
    target = find_version(session, name, version)
    current = models.champion(session, name)
    back = url_for("model_registry.version_view", name=name, version=version)
    if current is not None and current.id == target.id:
        flash(_("%(v)s is already the champion of %(name)s.", v=version, name=name))
        return redirect(back)
    return _confirm(
        "promote",
        name,
        current,
        target,
        back,
        lambda: models.promote(session, current_user.actor, name, version),
    )


@bp.route("/rollback/<name>", methods=["GET", "POST"])
@role_required(*SCIENTISTS)
def rollback(name: str) -> Any:
    """Confirm, then give the champion role back to the version promoted before (audited)."""
    session = get_session()
    if session.scalar(select(ModelVersion.id).where(ModelVersion.name == name)) is None:
        abort(404)
    current = models.champion(session, name)
    target = models.previous_champion(session, current) if current else None
    return _confirm(
        "rollback",
        name,
        current,
        target,
        url_for("model_registry.versions"),
        lambda: models.rollback(session, current_user.actor, name),
    )

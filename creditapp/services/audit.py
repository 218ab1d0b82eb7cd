"""The append-only audit log: who changed what, when, with before and after."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from ..models import AuditEvent, ScoreRecord


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in user, a lender's API key, or the system (jobs, CLI)."""

    type: str  # "user" | "api_key" | "system"
    id: int | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls("system", None)


def record(
    session: Session,
    actor: Actor,
    action: str,
    entity: str,
    entity_id: int | None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    as_of: date | None = None,
) -> AuditEvent:
    """Append one audit event (flushed with the change it describes)."""
    ev = AuditEvent(
        actor_type=actor.type,
        actor_id=actor.id,
        action=action,
        entity=entity,
        entity_id=entity_id,
        before=before,
        after=after,
        as_of=as_of,
    )
    session.add(ev)
    return ev


def _refuse_change(*_args: Any) -> None:
    raise PermissionError("audit events and score records are append-only")


# The audit log and the score records are evidence: a past decision must stay reproducible.
for _model in (AuditEvent, ScoreRecord):
    event.listen(_model, "before_update", _refuse_change)
    event.listen(_model, "before_delete", _refuse_change)

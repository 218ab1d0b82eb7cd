"""Read-mostly configuration for the scoring hot path: programs and the champion model.

``Lookup`` reads them straight from the database; ``CachedLookup`` keeps what it read for a
few seconds, so a busy API worker does not query the champion and the program on every call.
A promotion or a program change is then served within ``ttl`` seconds, still without a
restart; the CLI, tests and batch jobs use the uncached lookup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.model import ModelBundle
from scoring.policy import ProgramRules

from ..errors import Conflict
from ..models import ModelVersion
from . import models, programs
from .ttlcache import TTLCache


@dataclass(frozen=True)
class ProgramInfo:
    """What scoring needs of a program, detached from any session."""

    id: int
    code: str
    rules: ProgramRules  # the program's own columns (no version yet)
    active_from: date
    active_to: date | None
    versions: tuple[tuple[date, ProgramRules], ...] = ()  # (effective_from, rules), oldest first

    def rules_on(self, as_of: date) -> ProgramRules:
        """The rules of the version in force on ``as_of`` (the application's date)."""
        in_force = [rules for start, rules in self.versions if start <= as_of]
        return in_force[-1] if in_force else self.rules

    def is_active(self, as_of: date) -> bool:
        return self.active_from <= as_of and (self.active_to is None or as_of <= self.active_to)


@dataclass(frozen=True)
class ChampionRef:
    name: str
    version: str
    path: str
    manifest_sha256: str


class Lookup:
    """Uncached: every call reads the database."""

    def program(self, session: Session, code: str) -> ProgramInfo:
        p = programs.program_by_code(session, code)
        return ProgramInfo(
            p.id,
            p.code,
            programs.rules_for(p),
            p.active_from,
            p.active_to,
            programs.rules_by_version(session, p),
        )

    def champion(self, session: Session) -> ChampionRef:
        mv = session.execute(
            select(
                ModelVersion.name,
                ModelVersion.version,
                ModelVersion.path,
                ModelVersion.manifest_sha256,
            )
            .where(ModelVersion.is_champion)
            .order_by(ModelVersion.id.desc())
        ).first()
        if mv is None:
            raise Conflict("no champion model", {"model": ["no model has been promoted yet"]})
        return ChampionRef(*mv)

    def champion_bundle(self, session: Session) -> tuple[ChampionRef, ModelBundle]:
        ref = self.champion(session)
        return ref, models.bundle_at(ref.name, ref.version, ref.path, ref.manifest_sha256)


class CachedLookup(Lookup):
    """Keeps programs and the champion reference for ``ttl`` seconds."""

    def __init__(self, ttl: float) -> None:
        self._programs: TTLCache[ProgramInfo] = TTLCache(ttl)
        self._champion: TTLCache[ChampionRef] = TTLCache(ttl)

    def program(self, session: Session, code: str) -> ProgramInfo:
        return self._programs.get(code, lambda: Lookup.program(self, session, code))

    def champion(self, session: Session) -> ChampionRef:
        return self._champion.get("champion", lambda: Lookup.champion(self, session))

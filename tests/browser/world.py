"""A small deterministic world for the browser tests, committed to their own database.

Two lenders (the demo ones, with their quotas and four-eyes amount), users with known
passwords, the demo model as champion and a few applications scored through the real intake
path (``services.applications.submit``), alternating between the lenders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from flask import Flask

from creditapp.commands.demo import PROGRAMS_FROM, ensure_demo_model, ensure_lenders
from creditapp.db import get_db
from creditapp.services import access, applications, programs
from creditapp.services.audit import Actor
from fixtures import generate_population
from fixtures.payloads import application_payload

PASSWORD = "browser-test-password"
APPLICATIONS = 16
USERS = (
    # (key, e-mail, name, role, lender index)
    ("officer", "officer@bank.test", "Rina Officer", "loan_officer", 0),
    ("checker", "checker@bank.test", "Budi Checker", "loan_officer", 0),
    ("senior", "senior@bank.test", "Yusuf Senior", "loan_officer", 0),  # a senior officer
    ("ksp", "officer@ksp.test", "Sari Officer", "loan_officer", 1),
    ("manager", "manager@program.test", "Dewi Manager", "program_manager", None),
    ("scientist", "scientist@program.test", "Hendra Scientist", "data_scientist", None),
    ("admin", "admin@program.test", "Wati Admin", "admin", None),
)


@dataclass
class World:
    """What the tests know about the seeded data."""

    emails: dict[str, str] = field(default_factory=dict)
    lender_ids: list[int] = field(default_factory=list)
    applications: dict[int, list[int]] = field(default_factory=dict)  # lender id -> ids


def seed_world(app: Flask, model_dir: Path) -> World:
    """Commit the world and return its ids."""
    world = World()
    actor = Actor.system()
    with app.app_context():
        session = get_db(app).sessionmaker()
        try:
            programs.seed_kur_programs(session, actor, PROGRAMS_FROM)
            lenders = ensure_lenders(session, actor)
            ensure_demo_model(session, actor, model_dir)
            world.lender_ids = [lender.id for lender in lenders]
            for key, email, name, role, index in USERS:
                access.create_user(
                    session,
                    actor,
                    email=email,
                    name=name,
                    role=role,
                    password=PASSWORD,
                    lender=None if index is None else lenders[index],
                    senior=key == "senior",
                )
                world.emails[key] = email
            pop = generate_population(APPLICATIONS, seed=7)
            for i in range(APPLICATIONS):
                payload = application_payload(pop, i)
                lender = lenders[i % 2]
                submitted = applications.submit(
                    session, actor, lender.id, payload, as_of=date.fromisoformat(payload["as_of"])
                )
                world.applications.setdefault(lender.id, []).append(submitted.application.id)
            session.commit()
        finally:
            session.close()
    return world

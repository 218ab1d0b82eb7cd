"""The administrative CLI commands: lenders, users, API keys."""

from __future__ import annotations

from flask.testing import FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from creditapp.models import ApiKey, AuditEvent, User
from creditapp.services.access import authenticate_key, verify_password


def test_api_key_is_shown_once_and_stored_hashed(runner: FlaskCliRunner, session: Session) -> None:
    assert (
        runner.invoke(
            args=["create-lender", "--code", "BPR1", "--name", "BPR", "--kind", "bank"]
        ).exit_code
        == 0
    )
    result = runner.invoke(args=["create-api-key", "--lender", "BPR1", "--name", "core"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip().splitlines()[0]
    key = session.scalar(select(ApiKey))
    assert key is not None
    assert secret not in key.key_hash and key.key_hash != secret
    assert authenticate_key(session, secret) is not None
    assert authenticate_key(session, secret[:-1] + ("A" if secret[-1] != "A" else "B")) is None


def test_revoked_key_no_longer_authenticates(runner: FlaskCliRunner, session: Session) -> None:
    runner.invoke(
        args=["create-lender", "--code", "KSP", "--name", "Koperasi", "--kind", "cooperative"]
    )
    secret = runner.invoke(
        args=["create-api-key", "--lender", "KSP", "--name", "x"]
    ).stdout.split()[0]
    prefix = secret.split("_")[1]
    assert runner.invoke(args=["revoke-api-key", prefix]).exit_code == 0
    assert authenticate_key(session, secret) is None
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "api_key.revoke" in actions


def test_user_password_is_hashed(runner: FlaskCliRunner, session: Session) -> None:
    args = ["create-user", "--email", "Ana@Bank.id", "--name", "Ana", "--role", "program_manager"]
    result = runner.invoke(args=[*args, "--password", "correct horse battery"])
    assert result.exit_code == 0, result.output
    user = session.scalar(select(User).where(User.email == "ana@bank.id"))
    assert user is not None
    assert "correct horse" not in user.password_hash
    assert verify_password(user, "correct horse battery")
    assert not verify_password(user, "wrong password!")


def test_bad_user_input_names_the_field_and_stores_nothing(
    runner: FlaskCliRunner, session: Session
) -> None:
    args = ["create-user", "--email", "x@y.id", "--name", "X", "--role", "loan_officer"]
    result = runner.invoke(args=[*args, "--password", "short"])
    assert result.exit_code != 0
    assert "password" in result.output and "lender" in result.output
    assert session.scalar(select(User)) is None


def test_unknown_lender_is_a_clear_error(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["create-api-key", "--lender", "NOPE", "--name", "x"])
    assert result.exit_code != 0
    assert "NOPE" in result.output

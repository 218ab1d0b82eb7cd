"""The secret key is generated once per instance, never a built-in default."""

from __future__ import annotations

from pathlib import Path

from creditapp.config import load_secret_key


def test_secret_key_is_generated_once_and_kept(tmp_path: Path) -> None:
    first = load_secret_key(tmp_path)
    assert len(first) >= 40
    assert load_secret_key(tmp_path) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_each_instance_gets_its_own_key(tmp_path: Path) -> None:
    assert load_secret_key(tmp_path / "a") != load_secret_key(tmp_path / "b")

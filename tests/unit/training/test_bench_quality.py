"""bench.quality skips cleanly without the shared data sets and refuses a budget of 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import quality


def test_skips_with_a_message_when_the_data_sets_are_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(quality, "DATASETS", tmp_path / "no-such-folder")
    out = quality.main(["--quick"])
    captured = capsys.readouterr()
    assert "absent" in out["skipped"] and "absent" in captured.err
    assert json.loads(captured.out.strip().splitlines()[-1]) == out


def test_a_zero_time_budget_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        quality.main(["--quick", "--time-budget", "0"])
    assert exc.value.code == 2
    assert "time budget must be a positive number" in capsys.readouterr().err

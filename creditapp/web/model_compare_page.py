"""Compare the champion with a challenger on a dataset file under ``MODEL_DIR`` (routes on
``model_registry.bp``).

A dataset is chosen by its path under the model folder, not uploaded: ``build-dataset``
writes it on the server, it holds a row per applicant (tens of MB), and keeping it there
means no applicant-level data travels through browsers. The path is checked to stay inside
the folder. The form opens with the challenger's own training file and seed when that file
is there, so "holdout" means exactly the rows its training held out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import current_app, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..db import get_session
from ..errors import DomainError
from ..jobs import model_compare
from ..models import ModelVersion
from .authz import role_required
from .model_charts import auc_intervals
from .model_forms import CompareForm
from .model_registry import bp
from .reports import SCIENTISTS

DEFAULT_SEED = 42  # the seed `train` uses unless told otherwise
DATASET_SUFFIX = ".parquet"
MAX_LISTED = 200  # dataset files offered in the form; more would not be a usable list


def dataset_files(model_dir: Path) -> list[str]:
    """Parquet files under ``model_dir`` (hidden ones left out), relative to it, sorted."""
    if not model_dir.is_dir():
        return []
    found = sorted(
        rel.as_posix()
        for rel in (p.relative_to(model_dir) for p in model_dir.rglob(f"*{DATASET_SUFFIX}"))
        if not any(part.startswith(".") for part in rel.parts)
    )
    return found[:MAX_LISTED]


def dataset_path(model_dir: Path, given: str) -> Path:
    """The dataset file ``given`` relative to ``model_dir``; refuses anything outside it.

    Raises:
        DomainError: absolute, outside ``model_dir`` (``..`` or a symlink), not a
            ``.parquet`` file, or missing; each names the ``dataset`` field.
    """

    def refuse(reason: str) -> DomainError:
        return DomainError("invalid dataset", {"dataset": [reason]})

    text = given.strip()
    if Path(text).is_absolute():
        raise refuse(_("Give the path relative to the model folder, not an absolute path."))
    root = model_dir.resolve()
    path = (root / text).resolve()  # follows symlinks and "..": where the file really is
    if not path.is_relative_to(root):
        raise refuse(_("The dataset must lie inside the model folder."))
    if path.suffix != DATASET_SUFFIX:
        raise refuse(_("The dataset must be a .parquet file written by build-dataset."))
    if not path.is_file():
        raise refuse(_("No file %(path)s in the model folder.", path=text))
    return path


def _manifest(mv: ModelVersion) -> dict[str, Any]:
    """The version's manifest as JSON, for defaults only ({} when unreadable; the
    comparison itself reads bundles only through their verification)."""
    try:
        found: dict[str, Any] = json.loads(
            (Path(mv.path) / "manifest.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        return {}
    return found


def _defaults(challenger: ModelVersion, files: list[str]) -> dict[str, Any]:
    """The challenger's training file (if under the model folder) and seed."""
    training = _manifest(challenger).get("training", {})
    trained_on = training.get("dataset")
    dataset = next((f for f in files if Path(f).name == trained_on), "")
    seed = training.get("seed")
    return {"dataset": dataset, "seed": seed if isinstance(seed, int) else DEFAULT_SEED}


@bp.get("/compare")
@role_required(*SCIENTISTS)
def compare() -> Any:
    """Compare a challenger with its model's champion: AUCs, paired test, swap set."""
    session = get_session()
    versions = session.scalars(
        select(ModelVersion).order_by(ModelVersion.name, ModelVersion.id.desc())
    ).all()
    champions = {mv.name: mv for mv in versions if mv.is_champion}
    candidates = [mv for mv in versions if not mv.is_champion and mv.name in champions]
    model_dir = Path(current_app.config["MODEL_DIR"])
    files = dataset_files(model_dir)
    form = CompareForm(request.args)
    form.challenger.choices = [
        SelectChoice(str(mv.id), f"{mv.name} {mv.version}") for mv in candidates
    ]
    context: dict[str, Any] = {"form": form, "files": files, "result": None,
                               "candidates": candidates}  # fmt: skip
    if not candidates:
        return render_template("web/models/compare.html", **context)
    chosen = form.challenger.data
    challenger = next((mv for mv in candidates if str(mv.id) == chosen), candidates[0])
    champion = champions[challenger.name]
    bands = [b.get("band") for b in _manifest(champion).get("bands", []) if b.get("band")]
    form.cutoff_band.choices = [SelectChoice(b) for b in bands or ["A", "B", "C", "D", "E"]]
    context.update(champion=champion, challenger=challenger)
    if "dataset" not in request.args:  # first visit: fill in the challenger's own data
        defaults = _defaults(challenger, files)
        form.challenger.data = str(challenger.id)
        form.dataset.data, form.seed.data = defaults["dataset"], defaults["seed"]
        if form.cutoff_band.data not in bands and bands:
            form.cutoff_band.data = bands[len(bands) // 2]
        return render_template("web/models/compare.html", **context)
    status = 200
    if not form.validate():
        status = 422
    else:
        try:
            dataset = dataset_path(model_dir, form.dataset.data)
            cmp = model_compare.run(
                champion, challenger, dataset, form.rows.data, form.seed.data, form.cutoff_band.data
            )
        except DomainError as exc:
            status = exc.status_code
            for field, messages in (exc.errors or {"": [exc.message]}).items():
                target = form[field] if field in form else None
                if target is None:  # not a field's fault (a bundle that fails to verify)
                    form.form_errors.extend(messages)
                else:
                    target.errors = [*target.errors, *messages]
        else:
            context["result"] = cmp
            context["chart"] = auc_intervals(
                [(_("Champion"), cmp.a.auc), (_("Challenger"), cmp.b.auc)],
                title=_("Holdout AUC with its 95% interval"),
                desc=_(
                    "Each bar spans the 95% DeLong interval of one model's AUC on the same "
                    "rows; the dot is the AUC."
                ),
                key="auc",
            )
    return render_template("web/models/compare.html", **context), status

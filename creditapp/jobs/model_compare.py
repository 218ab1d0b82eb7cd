"""Champion against challenger for the registry pages: ``training.compare`` on registered
bundles and a dataset file under ``MODEL_DIR``.

Runs inside the request: on a holdout of a few thousand rows it takes well under a second
(two batch predictions and an O(N log N) DeLong test). ``training`` is imported on the first
comparison only, so workers that never compare never load it. Refusals come back as
``DomainError`` with the form's field names, so the page shows each beside its field.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DomainError
from ..services.models import bundle_at

if TYPE_CHECKING:
    from training.compare import Comparison

    from ..models import ModelVersion

DATASET_SUFFIX = ".parquet"
MAX_LISTED = 200  # dataset files offered in the form; more would not be a usable list

# training's field names -> the comparison form's
FIELDS = {"rows": "rows", "cutoff_band": "cutoff_band"}


def dataset_files(model_dir: Path) -> list[str]:
    """Parquet files under ``model_dir`` as paths relative to it, sorted (for the form)."""
    if not model_dir.is_dir():
        return []
    found = sorted(
        p.relative_to(model_dir).as_posix()
        for p in model_dir.rglob(f"*{DATASET_SUFFIX}")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(model_dir).parts)
    )
    return found[:MAX_LISTED]


def dataset_path(model_dir: Path, given: str) -> Path:
    """The dataset file ``given`` relative to ``model_dir``; refuses anything outside it.

    Raises:
        DomainError: empty, absolute, outside ``model_dir`` (``..`` or a symlink), not a
            ``.parquet`` file, or missing; each names the ``dataset`` field.
    """

    def refuse(reason: str) -> DomainError:
        return DomainError("invalid dataset", {"dataset": [reason]})

    text = given.strip()
    if not text:
        raise refuse("Choose a dataset file.")
    if Path(text).is_absolute():
        raise refuse("Give the path relative to the model folder, not an absolute path.")
    root = model_dir.resolve()
    path = (root / text).resolve()
    if not path.is_relative_to(root):
        raise refuse("The dataset must lie inside the model folder.")
    if path.suffix != DATASET_SUFFIX:
        raise refuse("The dataset must be a .parquet file written by build-dataset.")
    if not path.is_file():
        raise refuse(f"No file {text} in the model folder.")
    return path


def run(
    champion: ModelVersion,
    challenger: ModelVersion,
    dataset: Path,
    rows: str,
    seed: int,
    cutoff_band: str,
) -> Comparison:
    """Compare two registered versions on ``dataset`` (verified bundles only).

    Raises:
        DomainError: the dataset or row set is refused (field named), or a bundle no longer
            verifies (``Unavailable``).
    """
    from training.compare import compare_on_dataset
    from training.dataset import Dataset
    from training.errors import TrainingInputError

    a = bundle_at(champion.name, champion.version, champion.path, champion.manifest_sha256)
    b = bundle_at(challenger.name, challenger.version, challenger.path, challenger.manifest_sha256)
    try:
        data = Dataset.read(dataset)
        return compare_on_dataset(a, b, data, rows=rows, seed=seed, cutoff_band=cutoff_band)
    except TrainingInputError as exc:
        field = FIELDS.get(exc.field, "dataset")
        # The message names the server path; the page shows the path as the user gave it.
        message = exc.message.replace(f"{dataset}: ", "").replace(str(dataset), dataset.name)
        raise DomainError("comparison refused", {field: [message]}) from None

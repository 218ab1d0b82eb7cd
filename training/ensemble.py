"""Average several LightGBM boosters into ONE booster whose trees are all of theirs.

The served model must stay a single LightGBM text model (the exact TreeSHAP tables, the
monotone check and the bundle loader read exactly that). An average of k boosters is one: its
trees are the members' trees with every leaf value (and internal node value) divided by k, so
its raw score is the mean of the members' raw scores, and per-tree quantities (TreeSHAP
contributions, monotone directions) stay exact because each tree is only rescaled by a positive
constant. LightGBM cannot merge boosters itself, so this edits the text format: the members
must share the feature list and objective; the header's ``feature_infos`` become the union of
the members' value ranges and categories.
"""

from __future__ import annotations

from collections.abc import Sequence

import lightgbm as lgb

# Tree lines whose numbers are outputs (scaled); everything else in a tree is structure.
_SCALED_KEYS = ("leaf_value", "internal_value")
# Header lines that must be equal in every member for the average to mean anything.
_SAME_KEYS = ("version", "num_class", "num_tree_per_iteration", "label_index",
              "max_feature_idx", "objective", "feature_names")  # fmt: skip


def _split(text: str) -> tuple[list[str], list[list[str]], list[str]]:
    """Return (header lines, trees as line lists, the tail after the trees)."""
    lines = text.splitlines()
    try:
        end = lines.index("end of trees")
    except ValueError as exc:
        raise ValueError("not a LightGBM text model: no 'end of trees' line") from exc
    first = next((i for i, s in enumerate(lines) if s.startswith("Tree=")), end)
    trees: list[list[str]] = []
    for line in lines[first:end]:
        if line.startswith("Tree="):
            trees.append([])
        elif line and trees:
            trees[-1].append(line)
    return lines[:first], trees, lines[end:]


def _header_dict(header: list[str]) -> dict[str, str]:
    return dict(s.split("=", 1) for s in header if "=" in s)


def _union_info(infos: Sequence[str]) -> str:
    """Union of one feature's ``feature_infos`` entries over the members."""
    known = [s for s in infos if s != "none"]
    if not known:
        return "none"
    if all(s.startswith("[") for s in known):
        bounds = [s[1:-1].split(":") for s in known]
        low = min(float(b[0]) for b in bounds)
        high = max(float(b[1]) for b in bounds)
        return f"[{low!r}:{high!r}]"
    # categorical: colon-separated category codes
    codes = sorted({int(c) for s in known for c in s.split(":")})
    return ":".join(str(c) for c in codes)


def _scale_line(line: str, factor: float) -> str:
    key, values = line.split("=", 1)
    if key not in _SCALED_KEYS or not values:
        return line
    return key + "=" + " ".join(repr(float(v) * factor) for v in values.split(" "))


def average_model_text(texts: Sequence[str], weights: Sequence[float] | None = None) -> str:
    """Return the text of one booster predicting the mean raw score of ``texts``' boosters.

    Args:
        texts: ``Booster.model_to_string()`` of each member (at least one), all trained on the
            same features with the same objective.
        weights: positive weight per member (normalised to sum 1); equal when omitted.

    Returns:
        The merged model's text, as LightGBM itself writes it (``tree_sizes`` recomputed).

    Raises:
        ValueError: no members, members that differ in features or objective, or bad weights.
    """
    if not texts:
        raise ValueError("average_model_text needs at least one model")
    shares = [1.0] * len(texts) if weights is None else [float(w) for w in weights]
    if len(shares) != len(texts) or min(shares) <= 0:
        raise ValueError("weights must be one positive number per model")
    parts = [_split(t) for t in texts]
    headers = [_header_dict(h) for h, _, _ in parts]
    for key in _SAME_KEYS:
        values = {h.get(key) for h in headers}
        if len(values) > 1:
            raise ValueError(f"models differ in {key!r}; only like models can be averaged")
    if headers[0].get("num_tree_per_iteration", "1") != "1":
        raise ValueError("only single-output (binary/regression) models can be averaged")
    factors = [w / sum(shares) for w in shares]
    infos = [h["feature_infos"].split(" ") for h in headers]
    merged_infos = " ".join(_union_info(col) for col in zip(*infos, strict=True))
    header = [
        "feature_infos=" + merged_infos if line.startswith("feature_infos=") else line
        for line in parts[0][0]
    ]
    trees = [
        [_scale_line(s, factor) for s in tree]
        for (_, member_trees, _), factor in zip(parts, factors, strict=True)
        for tree in member_trees
    ]
    return _assemble(header, trees, parts[0][2])


def _assemble(header: list[str], trees: Sequence[Sequence[str]], tail: list[str]) -> str:
    """Join a header, trees (lines after ``Tree=``) and the tail into LightGBM's own text."""
    # tree_sizes is optional; LightGBM recomputes it when it writes the model back.
    out = [line for line in header if not line.startswith("tree_sizes=")]
    for index, tree in enumerate(trees):
        out.append(f"Tree={index}")
        out.extend(tree)
        out.append("")
    out.extend(tail)
    # A round trip through LightGBM normalises the text (tree_sizes, feature importances).
    return str(lgb.Booster(model_str="\n".join(out) + "\n").model_to_string())


def replace_trees(template: str, trees: Sequence[Sequence[str]]) -> str:
    """Return ``template``'s model text with its trees replaced by ``trees``.

    Args:
        template: a LightGBM text model trained on the same features (header: feature names and
            ranges, objective).
        trees: each tree's lines without its ``Tree=`` line (``num_leaves=...`` onwards).

    Returns:
        The model's text, as LightGBM itself writes it.
    """
    header, _, tail = _split(template)
    return _assemble(header, trees, tail)


def average_boosters(
    boosters: Sequence[lgb.Booster], weights: Sequence[float] | None = None
) -> lgb.Booster:
    """One booster whose raw score is the (weighted) mean of ``boosters``' raw scores.

    See :func:`average_model_text`.
    """
    texts = [b.model_to_string() for b in boosters]
    return lgb.Booster(model_str=average_model_text(texts, weights))

"""LightGBM's trees read from its model text: the arrays the library itself keeps per tree.

``dump_model`` gives the same trees as JSON, but builds and decodes it at ~4x the cost and
writes an infinite threshold as 1e300; the text keeps every number exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import lightgbm as lgb

# decision_type bits, as in LightGBM's tree.h; the missing type sits in bits 2-3
CATEGORICAL, DEFAULT_LEFT = 1, 2
MISSING_NONE, MISSING_ZERO, MISSING_NAN = 0, 1, 2
_KEYS = frozenset(
    {
        "split_feature",
        "threshold",
        "decision_type",
        "left_child",
        "right_child",
        "leaf_value",
        "leaf_count",
        "internal_count",
        "cat_boundaries",
        "cat_threshold",
        "is_linear",
    }
)


@dataclass(frozen=True)
class Tree:
    """One tree: split nodes by index (a child < 0 is leaf ~child), then the leaves."""

    split_feature: list[int]
    threshold: list[float]  # for a categorical split: the index of its category set
    decision_type: list[int]
    left_child: list[int]
    right_child: list[int]
    leaf_value: list[float]
    leaf_count: list[int]
    internal_count: list[int]
    cat_boundaries: list[int]
    cat_threshold: list[int]
    is_linear: bool

    def missing_type(self, node: int) -> int:
        """MISSING_NONE, MISSING_ZERO or MISSING_NAN."""
        return (self.decision_type[node] >> 2) & 3

    def categories(self, node: int) -> frozenset[int]:
        """The categories a categorical split sends left (a bitset in 32-bit words)."""
        i = int(self.threshold[node])
        words = self.cat_threshold[self.cat_boundaries[i] : self.cat_boundaries[i + 1]]
        return frozenset(
            32 * w + b for w, word in enumerate(words) for b in range(32) if word >> b & 1
        )


def model_trees(booster: lgb.Booster) -> list[Tree]:
    """Parse the trees of ``booster.model_to_string()`` (the iterations predict uses)."""
    trees: list[Tree] = []
    fields: dict[str, list[str]] | None = None
    for line in booster.model_to_string().splitlines():
        key, _, text = line.partition("=")
        if line.startswith("Tree="):
            fields = {}
        elif fields is not None and key in _KEYS:
            fields[key] = text.split()
        elif fields is not None and not line:  # a blank line ends the tree
            trees.append(_tree(fields))
            fields = None
    return trees


def _tree(fields: dict[str, list[str]]) -> Tree:
    def ints(key: str) -> list[int]:
        return [int(float(v)) for v in fields.get(key, [])]

    def floats(key: str) -> list[float]:
        return [float(v) for v in fields.get(key, [])]

    return Tree(
        ints("split_feature"),
        floats("threshold"),
        ints("decision_type"),
        ints("left_child"),
        ints("right_child"),
        floats("leaf_value"),
        ints("leaf_count"),
        ints("internal_count"),
        ints("cat_boundaries"),
        ints("cat_threshold"),
        ints("is_linear")[:1] == [1],
    )

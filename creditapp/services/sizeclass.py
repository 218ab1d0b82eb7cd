"""Enterprise size classes: PP 7/2021 by annual sales, BPS by workers (graduation)."""

from __future__ import annotations

JUTA = 1_000_000
MILIAR = 1_000_000_000
# (upper bound inclusive, class); PP 7/2021 annual sales thresholds.
SALES_CLASSES = ((2 * MILIAR, "micro"), (15 * MILIAR, "small"), (50 * MILIAR, "medium"))
# BPS industry size by workers: micro 1-4, small 5-19, medium 20-99.
WORKER_CLASSES = ((4, "micro"), (19, "small"), (99, "medium"))


def size_class_by_sales(annual_sales: int) -> str:
    """Return micro / small / medium / large by annual sales in Rupiah."""
    for bound, name in SALES_CLASSES:
        if annual_sales <= bound:
            return name
    return "large"


def size_class_by_workers(workers: int) -> str:
    """Return micro / small / medium / large by the number of workers."""
    for bound, name in WORKER_CLASSES:
        if workers <= bound:
            return name
    return "large"

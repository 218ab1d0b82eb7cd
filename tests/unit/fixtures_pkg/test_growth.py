"""Size observations and graduation."""

from __future__ import annotations

import numpy as np

from fixtures import Population
from fixtures.growth import graduated, well_repaid
from scoring.raw import day_number


def test_two_observations_per_enterprise(pop: Population) -> None:
    s = pop.size_observations
    assert s.enterprise_id.size == 2 * pop.n
    assert np.array_equal(s.stage, np.tile([0, 1], pop.n))
    first, later = s.observed[0::2], s.observed[1::2]
    assert np.array_equal(first, pop.applications.applied)
    assert np.all(later <= day_number(pop.as_of))
    assert np.all(later - first >= 360) and np.all(later - first <= 24 * 31)
    assert np.array_equal(s.annual_sales[0::2], pop.enterprises.annual_sales)
    assert np.all(s.workers >= 1)


def test_graduation_share_plausible_and_higher_with_good_credit(pop: Population) -> None:
    grad = graduated(pop.size_observations)
    good = well_repaid(pop.loans, pop.n)
    print(f"graduation share {grad.mean():.4f}; good credit {grad[good].mean():.4f}")
    assert 0.02 <= grad.mean() <= 0.15
    assert grad[good].mean() > 1.5 * grad[~good].mean()
    s = pop.size_observations
    shrank = (s.size_class_workers[1::2] < s.size_class_workers[0::2]) | (
        s.size_class_sales[1::2] < s.size_class_sales[0::2]
    )
    assert 0 < shrank.mean() < grad.mean()

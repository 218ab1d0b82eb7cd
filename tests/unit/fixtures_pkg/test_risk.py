"""True PD: bad rate, oracle AUC, and no direct effect of owner gender or province."""

from __future__ import annotations

import numpy as np
from scipy import stats

from fixtures import Population, bad_rate, oracle_auc
from fixtures.reference import JAVA


def _design(pop: Population) -> np.ndarray:
    """Driver columns that span the true logit (built here, not with fixtures.risk)."""
    d = pop.drivers
    member = ~np.isnan(d.savings_on_time)
    store = ~np.isnan(d.rating)
    cols = [
        np.ones(pop.n),
        np.log(d.volatility),
        d.trend,
        d.gap_rate,
        np.nan_to_num(d.savings_on_time),
        member,
        d.coop_bad_loans,
        np.nan_to_num(d.digital_growth),
        np.nan_to_num(d.rating),
        store,
        d.partnership,
        d.certifications,
        np.log(d.business_age_years),
        np.log(d.leverage),
    ]
    return np.column_stack(cols).astype(np.float64)


def _t_stats(y: np.ndarray, x: np.ndarray, extra: np.ndarray) -> tuple[np.ndarray, float]:
    """OLS of y on [x, extra]; return t statistics of the extra columns and their F p-value."""
    full = np.column_stack([x, extra])
    beta, *_ = np.linalg.lstsq(full, y, rcond=None)
    resid = y - full @ beta
    dof = y.size - full.shape[1]
    sigma2 = resid @ resid / dof
    cov = sigma2 * np.linalg.inv(full.T @ full)
    k = extra.shape[1]
    t = beta[-k:] / np.sqrt(np.diag(cov)[-k:])
    restricted, *_ = np.linalg.lstsq(x, y, rcond=None)
    rss_r = np.sum((y - x @ restricted) ** 2)
    f = ((rss_r - resid @ resid) / k) / sigma2
    return t, float(stats.f.sf(f, k, dof))


def _protected(pop: Population) -> np.ndarray:
    prov = pop.enterprises.province
    other_java = np.isin(prov, list(JAVA - {32, 33, 35}))
    return np.column_stack(
        [pop.enterprises.owner_female, prov == 32, prov == 33, prov == 35, other_java]
    ).astype(np.float64)


def _detects_direct_effect(pop: Population, logit: np.ndarray) -> bool:
    t, p = _t_stats(logit, _design(pop), _protected(pop))
    return bool(np.abs(t).max() > 4.0 or p < 1e-4)


def test_no_gender_or_province_effect_given_drivers(pop: Population) -> None:
    logit = np.log(pop.true_pd / (1 - pop.true_pd))
    assert not _detects_direct_effect(pop, logit)


def test_the_check_catches_an_injected_gender_term(pop: Population) -> None:
    logit = np.log(pop.true_pd / (1 - pop.true_pd))
    assert _detects_direct_effect(pop, logit + 0.3 * pop.enterprises.owner_female)


def test_the_check_catches_an_injected_province_term(pop: Population) -> None:
    logit = np.log(pop.true_pd / (1 - pop.true_pd))
    assert _detects_direct_effect(pop, logit + 0.3 * (pop.enterprises.province == 33))


def test_drivers_explain_the_true_logit_up_to_unobserved_noise(pop: Population) -> None:
    logit = np.log(pop.true_pd / (1 - pop.true_pd))
    x = _design(pop)
    beta, *_ = np.linalg.lstsq(x, logit - pop.drivers.unobserved, rcond=None)
    assert np.allclose(x @ beta, logit - pop.drivers.unobserved, atol=1e-8)
    assert 0.5 < pop.drivers.unobserved.std() < 1.0


def test_drivers_move_risk_the_documented_way(pop: Population) -> None:
    logit = np.log(pop.true_pd / (1 - pop.true_pd))
    beta, *_ = np.linalg.lstsq(_design(pop), logit, rcond=None)
    # volatility, gaps, bad coop history and leverage raise risk; trend, savings, growth,
    # rating, partnership, certificates and age lower it
    assert beta[1] > 0 and beta[3] > 0 and beta[6] > 0 and beta[13] > 0
    assert beta[2] < 0 and beta[4] < 0 and beta[7] < 0 and beta[8] < 0
    assert beta[10] < 0 and beta[11] < 0 and beta[12] < 0


def test_bad_rate_and_oracle_auc(pop: Population) -> None:
    auc = oracle_auc(pop)
    rate = bad_rate(pop)
    print(f"oracle AUC {auc:.4f}, bad rate among approved {rate:.4f}")
    assert 0.05 <= rate <= 0.10
    assert 0.75 <= auc <= 0.93
    declined = ~pop.applications.approved
    assert pop.true_pd[declined].mean() > pop.true_pd[~declined].mean()


def test_realised_defaults_follow_true_pd(pop: Population) -> None:
    order = np.argsort(pop.true_pd)
    low, high = order[: pop.n // 5], order[-pop.n // 5 :]
    assert pop.defaulted[high].mean() > 3 * pop.defaulted[low].mean()
    assert abs(pop.defaulted.mean() - pop.true_pd.mean()) < 0.03

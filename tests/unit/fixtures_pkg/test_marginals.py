"""Marginal distributions of the population look like Indonesian IMK."""

from __future__ import annotations

from datetime import date

import numpy as np

from fixtures import Population
from fixtures.reference import JAVA
from fixtures.tables import PROGRAMS
from scoring import raw


def test_owner_gender_about_half(pop: Population) -> None:
    assert 0.45 <= pop.enterprises.owner_female.mean() <= 0.55
    assert np.array_equal(pop.enterprises.owner_female, pop.raw.profiles.owner_female)


def test_micro_by_workers_dominates(pop: Population) -> None:
    w = pop.enterprises.workers
    assert w.min() >= 1 and w.max() <= 19
    assert 0.8 <= (w <= 4).mean() <= 0.9
    assert np.array_equal(pop.enterprises.size_class_workers, (w >= 5).astype(np.int8))


def test_java_heavy_and_food_largest(pop: Population) -> None:
    prov = pop.enterprises.province
    assert 0.55 <= np.isin(prov, list(JAVA)).mean() <= 0.75
    top3 = np.isin(prov, [32, 33, 35]).mean()
    assert top3 >= 0.4
    assert np.unique(prov).size >= 25
    div, counts = np.unique(pop.enterprises.kbli_division, return_counts=True)
    assert div[np.argmax(counts)] == 10
    assert counts.max() / counts.sum() >= 0.25
    reg = pop.enterprises.regency
    assert np.array_equal(reg // 100, prov)


def test_kbli_codes_and_nik_are_well_formed(pop: Population) -> None:
    e = pop.enterprises
    assert all(len(k) == 5 and k.isdigit() for k in e.kbli)
    assert np.array_equal(np.array([int(k[:2]) for k in e.kbli]), e.kbli_division)
    for i in range(0, pop.n, 97):
        nik = str(e.owner_nik[i])
        assert len(nik) == 16 and nik.isdigit()
        assert int(nik[:4]) == e.regency[i]
        day, month = int(nik[6:8]), int(nik[8:10])
        assert 1 <= month <= 12
        if e.owner_female[i]:
            assert 41 <= day <= 71
        else:
            assert 1 <= day <= 31
    assert len(set(e.name)) > 200 and len(set(e.owner_name)) > 500


def test_source_shares(pop: Population) -> None:
    r = pop.raw
    has = lambda t: np.unique(t.app).size / pop.n  # noqa: E731 - a one-line share helper
    assert 0.01 <= has(r.exports) <= 0.03
    assert 0.25 <= has(r.marketplace) <= 0.35
    assert 0.2 <= (r.profiles.coop_member_since >= 0).mean() <= 0.3
    assert 0.05 <= has(r.partnerships) <= 0.10
    food = np.isin(pop.enterprises.kbli_division, [10, 11])  # food and beverages
    pirt = np.zeros(pop.n, bool)
    pirt[r.certifications.app[r.certifications.kind == 0]] = True
    assert pirt[food].mean() > 0.3 and pirt[~food].mean() == 0.0


def test_sales_consistent_with_size_class(pop: Population) -> None:
    e = pop.enterprises
    micro = e.annual_sales <= 2_000_000_000
    assert np.array_equal(e.size_class_sales == 0, micro)
    assert np.all(e.annual_sales <= 15_000_000_000)
    assert 30e6 <= np.median(e.annual_sales) <= 500e6  # tens to hundreds of millions
    assert micro.mean() > 0.95
    assert np.all(e.assets > 0)


def test_requested_amount_matches_program(pop: Population) -> None:
    a = pop.applications
    assert np.all(a.requested_amount % 500_000 == 0)
    assert np.all((a.requested_amount > 0) & (a.requested_amount <= 500_000_000))
    expect = np.where(
        a.requested_amount <= 10_000_000,
        PROGRAMS[0],
        np.where(a.requested_amount <= 100_000_000, PROGRAMS[1], PROGRAMS[2]),
    )
    assert np.array_equal(a.program, expect)
    assert np.array_equal(a.requested_amount, pop.raw.profiles.requested_amount)
    assert np.array_equal(a.tenor_months, pop.raw.profiles.tenor_months)
    assert set(np.unique(a.tenor_months)) <= {12, 18, 24, 36, 48, 60}
    inv = a.purpose == "investment"
    assert a.tenor_months[inv].mean() > a.tenor_months[~inv].mean() + 6
    assert 0.75 <= a.approved.mean() <= 0.95


def test_inflows_track_annual_sales(pop: Population) -> None:
    t = pop.raw.transactions
    inflow = np.bincount(t.app, weights=t.amount * t.inflow, minlength=pop.n)
    months = np.maximum(np.bincount(t.app, minlength=pop.n) > 0, 1)
    ratio = inflow / (pop.enterprises.annual_sales * months)
    corr = np.corrcoef(np.log1p(inflow), np.log(pop.enterprises.annual_sales))[0, 1]
    assert corr > 0.6
    assert np.all(ratio >= 0)


def test_ramadan_lifts_food_sales(pop: Population) -> None:
    """Per food firm: inflow per day in Ramadan over inflow per day in the rest of its history."""
    t = pop.raw.transactions
    ramadan = np.zeros(t.day.size, bool)
    lebaran = [raw.day_number(date.fromisoformat(d)) for d in ("2022-05-02", "2023-04-22")]
    lebaran.append(raw.day_number(date(2024, 4, 10)))
    for leb in lebaran:
        ramadan |= (t.day >= leb - 30) & (t.day < leb)
    n = pop.n
    first = np.full(n, np.iinfo(np.int32).max)
    np.minimum.at(first, t.app, t.day)
    end = pop.raw.profiles.as_of
    ram_days = sum(
        np.clip(np.minimum(end, leb) - np.maximum(first, leb - 30), 0, None) for leb in lebaran
    )
    total_days = end - first
    money = t.amount * t.inflow
    in_ram = np.bincount(t.app, weights=money * ramadan, minlength=n)
    outside = np.bincount(t.app, weights=money * ~ramadan, minlength=n)
    food = (pop.enterprises.kbli_division == 10) & (ram_days >= 30) & (outside > 0)
    ratio = (in_ram[food] / ram_days[food]) / (outside[food] / (total_days - ram_days)[food])
    assert food.sum() > 200
    assert np.median(ratio) > 1.15
    nonfood = np.isin(pop.enterprises.kbli_division, [16, 23, 25, 31]) & (ram_days >= 30)
    nonfood &= outside > 0
    other = (in_ram[nonfood] / ram_days[nonfood]) / (
        outside[nonfood] / (total_days - ram_days)[nonfood]
    )
    assert np.median(ratio) > np.median(other) + 0.1


def test_qris_rises_over_time(pop: Population) -> None:
    t = pop.raw.transactions
    inflow = t.inflow
    early = inflow & (t.day < raw.day_number(date(2023, 1, 1)))
    late = inflow & (t.day >= raw.day_number(date(2024, 1, 1)))
    qris = t.channel == raw.CHANNELS.index("qris")
    assert qris[late].mean() > qris[early].mean() * 1.3

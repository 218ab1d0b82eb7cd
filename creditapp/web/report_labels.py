"""Words for the codes in the program managers' reports: provinces, KBLI sectors, size
classes, segments, owner gender, claim statuses, strategy indicators and the groupings.

Province names are proper names (the same in both languages); everything else goes through
the message catalog. The reports keep the codes (downloads stay machine-readable); only the
pages put names on them.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# BPS province codes (after the 2022 Papua split: 91, 92, 94-97, as scoring.parse_profile accepts).
PROVINCES = {
    "11": "Aceh", "12": "Sumatera Utara", "13": "Sumatera Barat", "14": "Riau", "15": "Jambi",
    "16": "Sumatera Selatan", "17": "Bengkulu", "18": "Lampung",
    "19": "Kepulauan Bangka Belitung", "21": "Kepulauan Riau", "31": "DKI Jakarta",
    "32": "Jawa Barat", "33": "Jawa Tengah", "34": "DI Yogyakarta", "35": "Jawa Timur",
    "36": "Banten", "51": "Bali", "52": "Nusa Tenggara Barat", "53": "Nusa Tenggara Timur",
    "61": "Kalimantan Barat", "62": "Kalimantan Tengah", "63": "Kalimantan Selatan",
    "64": "Kalimantan Timur", "65": "Kalimantan Utara", "71": "Sulawesi Utara",
    "72": "Sulawesi Tengah", "73": "Sulawesi Selatan", "74": "Sulawesi Tenggara",
    "75": "Gorontalo", "76": "Sulawesi Barat", "81": "Maluku", "82": "Maluku Utara",
    "91": "Papua Barat", "92": "Papua Barat Daya", "94": "Papua", "95": "Papua Selatan",
    "96": "Papua Tengah", "97": "Papua Pegunungan",
}  # fmt: skip

# KBLI 2020 divisions of manufacturing (section C), where IMK enterprises are.
SECTORS = {
    10: _l("Food products"), 11: _l("Beverages"), 12: _l("Tobacco products"),
    13: _l("Textiles"), 14: _l("Wearing apparel"), 15: _l("Leather goods and footwear"),
    16: _l("Wood, bamboo and rattan products"), 17: _l("Paper products"),
    18: _l("Printing"), 19: _l("Coal and petroleum products"), 20: _l("Chemical products"),
    21: _l("Pharmaceuticals and herbal medicine"), 22: _l("Rubber and plastic products"),
    23: _l("Non-metallic mineral products"), 24: _l("Basic metals"),
    25: _l("Metal products"), 26: _l("Electronic and optical products"),
    27: _l("Electrical equipment"), 28: _l("Machinery"), 29: _l("Motor vehicles"),
    30: _l("Other transport equipment"), 31: _l("Furniture"), 32: _l("Other manufacturing"),
    33: _l("Repair and installation of machinery"),
}  # fmt: skip
SIZE_CLASSES = {
    "micro": _l("Micro"), "small": _l("Small"), "medium": _l("Medium"), "large": _l("Large"),
}  # fmt: skip
SEGMENTS = {
    "super_mikro": "Super Mikro", "mikro": "Mikro", "kecil": "Kecil", "other": _l("Other"),
}  # fmt: skip
GENDERS = {"F": _l("Women"), "M": _l("Men")}
CLAIM_STATUSES = {"submitted": _l("Submitted"), "paid": _l("Paid"), "rejected": _l("Rejected")}
GROUPS = {"financed": _l("Financed"), "comparison": _l("Comparison group")}
BASES = {"sales": _l("by sales (PP 7/2021)"), "workers": _l("by workers (BPS)")}
INDICATORS = {
    "certification_PIRT": _l("PIRT certificate"),
    "certification_HALAL": _l("Halal certificate"),
    "certification_SNI": _l("SNI certificate"),
    "certification_BPOM": _l("BPOM registration"),
    "partnership_larger_firm": _l("Partnership with a medium or large firm"),
    "export": _l("Exports"),
    "digital_sales": _l("Digital (marketplace) sales"),
    "commercial_credit_after": _l("Graduated to commercial credit"),
    "sales_growth_mean": _l("Mean sales growth"),
    "workers_change_mean": _l("Mean change in workers"),
}
# The groupings of the by-selectors, in the order the reports list them.
DIMENSIONS = {
    "program": _l("Program"), "segment": _l("Segment"), "lender": _l("Lender"),
    "province": _l("Province"), "sector": _l("Sector (KBLI)"), "gender": _l("Owner gender"),
    "size_class": _l("Size class (PP 7/2021)"), "month": _l("Month of disbursement"),
    "cohort": _l("Cohort (month)"),
}  # fmt: skip


def province_name(code: Any) -> str:
    """``32 Jawa Barat`` (an unknown code stays as it is)."""
    name = PROVINCES.get(str(code))
    return f"{code} {name}" if name else str(code)


def sector_name(code: Any) -> str:
    """``10 Food products`` in the reader's language."""
    try:
        name = SECTORS.get(int(code))
    except (TypeError, ValueError):
        name = None
    return f"{code} {name}" if name else str(code)


def value_name(dimension: str, value: Any) -> str:
    """The words for one value of a grouping (``None`` is shown as "–")."""
    if value is None:
        return "–"
    if dimension == "province":
        return province_name(value)
    if dimension == "sector":
        return sector_name(value)
    tables: dict[str, dict[Any, Any]] = {
        "segment": SEGMENTS, "gender": GENDERS, "size_class": SIZE_CLASSES,
    }  # fmt: skip
    return str(tables.get(dimension, {}).get(value, value))

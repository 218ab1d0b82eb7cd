"""The one declarative feature spec: every model input, its source, direction and reason text.

``monotone`` is the sign of the effect on the probability of default: +1 raises the PD, -1 lowers
it, 0 declares nothing. Training turns it into LightGBM ``monotone_constraints`` and the model
tests check the trained model obeys it. ``characteristic`` groups features for reasons: the
contributions of all features of one characteristic are summed before ranking, so a lender sees
"cash-flow stability" once, not three times. Texts take ``{v}``, the applicant's own value
formatted by ``scoring.textfmt`` (``value_format``) in each language.

Owner name, NIK, gender, province and regency are never features: ``compute_features`` does not
read them and a model test proves it.
"""

from __future__ import annotations

from dataclasses import dataclass

# Bump when a feature is added, removed, renamed or its computation changes: bundles trained
# on another version are refused at load time.
FEATURE_SPEC_VERSION = "imk-features-1"

SOURCES: tuple[str, ...] = (
    "transactions",
    "digital_sales",
    "cooperative",
    "profile",
    "certifications",
    "partnerships",
    "exports",
    "request",
)


@dataclass(frozen=True)
class FeatureSpec:
    """One model input: what it is, where it comes from and how a reason describes it."""

    name: str
    source: str
    monotone: int
    actionable: bool
    characteristic: str
    reason_id: str  # adverse text (the feature pushes the PD up)
    reason_en: str
    value_format: str  # rupiah | ratio | percent | count | months | flag | rating | growth
    strength_id: str = ""  # favourable text (the feature pushes the PD down)
    strength_en: str = ""


def _f(
    name: str,
    source: str,
    monotone: int,
    actionable: bool,
    characteristic: str,
    value_format: str,
    reason: tuple[str, str],
    strength: tuple[str, str],
) -> FeatureSpec:
    return FeatureSpec(
        name,
        source,
        monotone,
        actionable,
        characteristic,
        reason[0],
        reason[1],
        value_format,
        strength[0],
        strength[1],
    )


FEATURES: tuple[FeatureSpec, ...] = (
    # transactions: the last 24 complete months before the application month
    _f("tx_months_history", "transactions", -1, True, "track record", "months",
       ("Riwayat transaksi pendek ({v})", "Short transaction history ({v})"),
       ("Riwayat transaksi panjang ({v})", "Long transaction history ({v})")),
    _f("tx_active_month_share", "transactions", -1, True, "cash-flow regularity", "percent",
       ("Banyak bulan tanpa transaksi (aktif {v})", "Many months without transactions "
        "(active {v})"),
       ("Transaksi rutin setiap bulan (aktif {v})", "Transactions every month (active {v})")),
    _f("tx_avg_monthly_inflow", "transactions", -1, False, "cash-flow level", "rupiah",
       ("Pemasukan bulanan rendah ({v})", "Low monthly inflows ({v})"),
       ("Pemasukan bulanan kuat ({v})", "Strong monthly inflows ({v})")),
    _f("tx_avg_monthly_net_inflow", "transactions", -1, False, "cash-flow level", "rupiah",
       ("Arus kas bersih bulanan rendah ({v})", "Low monthly net cash flow ({v})"),
       ("Arus kas bersih bulanan kuat ({v})", "Strong monthly net cash flow ({v})")),
    _f("tx_net_inflow_cv", "transactions", 1, False, "cash-flow stability", "ratio",
       ("Pemasukan bulanan tidak stabil (CV {v})", "Monthly inflows are unstable (CV {v})"),
       ("Pemasukan bulanan stabil (CV {v})", "Monthly inflows are stable (CV {v})")),
    _f("tx_inflow_volatility", "transactions", 1, False, "cash-flow stability", "ratio",
       ("Pemasukan bulanan naik-turun tajam (SD log {v})",
        "Monthly inflows swing widely (log SD {v})"),
       ("Pemasukan bulanan konsisten (SD log {v})", "Monthly inflows are steady (log SD {v})")),
    _f("tx_negative_month_share", "transactions", 1, False, "cash-flow stability", "percent",
       ("Sering defisit bulanan ({v} bulan)", "Frequent monthly deficits ({v} of months)"),
       ("Jarang defisit bulanan ({v} bulan)", "Rare monthly deficits ({v} of months)")),
    _f("tx_outflow_inflow_ratio", "transactions", 1, False, "spending vs income", "ratio",
       ("Pengeluaran tinggi dibanding pemasukan (rasio {v})",
        "High spending relative to income (ratio {v})"),
       ("Pengeluaran terkendali (rasio {v})", "Spending kept below income (ratio {v})")),
    _f("tx_inflow_trend", "transactions", -1, False, "cash-flow trend", "growth",
       ("Pemasukan menurun ({v} per bulan)", "Inflows are falling ({v} per month)"),
       ("Pemasukan meningkat ({v} per bulan)", "Inflows are growing ({v} per month)")),
    _f("tx_digital_share", "transactions", -1, True, "digital payments", "percent",
       ("Sedikit penjualan lewat QRIS/e-wallet ({v})", "Few sales through QRIS/e-wallet ({v})"),
       ("Banyak penjualan lewat QRIS/e-wallet ({v})", "Many sales through QRIS/e-wallet ({v})")),
    _f("tx_inflows_per_month", "transactions", 0, False, "cash-flow regularity", "count",
       ("Sedikit transaksi masuk per bulan ({v})", "Few incoming payments per month ({v})"),
       ("Banyak transaksi masuk per bulan ({v})", "Many incoming payments per month ({v})")),
    # digital sales (marketplace); NaN where there is no store
    _f("mp_store_months", "digital_sales", -1, True, "online sales", "months",
       ("Toko online baru atau tidak ada ({v})", "New or no online store ({v})"),
       ("Toko online sudah lama berjalan ({v})", "Established online store ({v})")),
    _f("mp_avg_monthly_gmv", "digital_sales", -1, False, "online sales", "rupiah",
       ("Penjualan online rendah ({v} per bulan)", "Low online sales ({v} per month)"),
       ("Penjualan online kuat ({v} per bulan)", "Strong online sales ({v} per month)")),
    _f("mp_gmv_growth", "digital_sales", -1, False, "online sales", "growth",
       ("Penjualan online menurun ({v})", "Online sales are falling ({v})"),
       ("Penjualan online tumbuh ({v})", "Online sales are growing ({v})")),
    _f("mp_rating", "digital_sales", -1, False, "customer satisfaction", "rating",
       ("Rating toko rendah ({v})", "Low store rating ({v})"),
       ("Rating toko tinggi ({v})", "High store rating ({v})")),
    _f("mp_return_rate", "digital_sales", 1, False, "customer satisfaction", "percent",
       ("Tingkat retur tinggi ({v})", "High return rate ({v})"),
       ("Tingkat retur rendah ({v})", "Low return rate ({v})")),
    # cooperative; NaN for non-members
    _f("coop_tenure_months", "cooperative", -1, True, "cooperative membership", "months",
       ("Keanggotaan koperasi singkat atau tidak ada ({v})",
        "Short or no cooperative membership ({v})"),
       ("Anggota koperasi sejak lama ({v})", "Long-standing cooperative member ({v})")),
    _f("coop_savings_on_time_share", "cooperative", -1, True, "cooperative savings record",
       "percent",
       ("Simpanan wajib sering terlambat (tepat waktu {v})",
        "Mandatory savings often late (on time {v})"),
       ("Simpanan wajib dibayar tepat waktu ({v})", "Mandatory savings paid on time ({v})")),
    _f("coop_savings_missed", "cooperative", 1, False, "cooperative savings record", "count",
       ("Simpanan wajib terlewat ({v} kali)", "Missed mandatory savings ({v} times)"),
       ("Tidak ada simpanan wajib terlewat ({v})", "No missed mandatory savings ({v})")),
    _f("coop_loans_repaid", "cooperative", -1, False, "earlier cooperative loans", "count",
       ("Belum ada pinjaman koperasi yang lunas ({v})", "No cooperative loan repaid yet ({v})"),
       ("Pinjaman koperasi sebelumnya lunas ({v})", "Earlier cooperative loans repaid ({v})")),
    _f("coop_loans_defaulted", "cooperative", 1, False, "earlier cooperative loans", "count",
       ("Pernah gagal bayar pinjaman koperasi ({v} kali)",
        "Defaulted on cooperative loans ({v} times)"),
       ("Tidak pernah gagal bayar pinjaman koperasi ({v})",
        "Never defaulted on a cooperative loan ({v})")),
    _f("coop_loans_max_dpd", "cooperative", 1, False, "earlier cooperative loans", "count",
       ("Pernah menunggak pinjaman koperasi ({v} hari)",
        "Late on a cooperative loan ({v} days)"),
       ("Pinjaman koperasi dibayar tepat waktu (tunggakan maks. {v} hari)",
        "Cooperative loans paid on time (at most {v} days late)")),
    # certifications valid on the application date
    _f("cert_valid_count", "certifications", -1, True, "certifications", "count",
       ("Sedikit sertifikasi yang berlaku ({v})", "Few valid certifications ({v})"),
       ("Memiliki sertifikasi yang berlaku ({v})", "Holds valid certifications ({v})")),
    _f("cert_halal", "certifications", -1, True, "certifications", "flag",
       ("Belum memiliki sertifikat halal", "No halal certificate"),
       ("Memiliki sertifikat halal", "Holds a halal certificate")),
    _f("cert_food_safety", "certifications", -1, True, "certifications", "flag",
       ("Belum memiliki izin PIRT/BPOM", "No PIRT/BPOM food-safety permit"),
       ("Memiliki izin PIRT/BPOM", "Holds a PIRT/BPOM food-safety permit")),
    # partnerships with medium and large firms active on the application date
    _f("partner_active_count", "partnerships", -1, True, "partnerships", "count",
       ("Belum ada kemitraan dengan usaha menengah/besar ({v})",
        "No partnership with a medium or large firm ({v})"),
       ("Bermitra dengan usaha menengah/besar ({v})",
        "Partners with medium or large firms ({v})")),
    _f("partner_value_to_sales", "partnerships", -1, True, "partnerships", "percent",
       ("Nilai kemitraan kecil dibanding penjualan ({v})",
        "Partnership value small relative to sales ({v})"),
       ("Nilai kemitraan besar dibanding penjualan ({v})",
        "Partnership value large relative to sales ({v})")),
    # exports in the last 12 complete months
    _f("export_months_12", "exports", -1, False, "exports", "months",
       ("Tidak rutin ekspor ({v} dalam 12 bulan)", "Few export months ({v} of the last 12)"),
       ("Rutin ekspor ({v} dalam 12 bulan)", "Regular exports ({v} of the last 12)")),
    _f("export_share_of_sales", "exports", 0, False, "exports", "percent",
       ("Porsi ekspor kecil ({v})", "Small export share ({v})"),
       ("Porsi ekspor besar ({v})", "Large export share ({v})")),
    # profile
    _f("business_age_months", "profile", -1, False, "business maturity", "months",
       ("Usaha masih baru ({v})", "Young business ({v})"),
       ("Usaha sudah lama berdiri ({v})", "Established business ({v})")),
    _f("workers", "profile", 0, False, "business size", "count",
       ("Jumlah pekerja ({v})", "Number of workers ({v})"),
       ("Jumlah pekerja ({v})", "Number of workers ({v})")),
    _f("log_annual_sales", "profile", -1, False, "business size", "log_rupiah",
       ("Omzet tahunan kecil ({v})", "Small annual sales ({v})"),
       ("Omzet tahunan besar ({v})", "Large annual sales ({v})")),
    _f("log_assets", "profile", -1, False, "business size", "log_rupiah",
       ("Aset usaha kecil ({v})", "Small business assets ({v})"),
       ("Aset usaha memadai ({v})", "Adequate business assets ({v})")),
    _f("kur_access_count", "profile", 0, False, "credit history", "count",
       ("Riwayat KUR ({v} kali)", "Earlier KUR loans ({v})"),
       ("Riwayat KUR ({v} kali)", "Earlier KUR loans ({v})")),
    _f("other_productive_credit", "profile", 1, False, "existing debt", "flag",
       ("Memiliki kredit produktif lain", "Has another productive loan"),
       ("Tidak memiliki kredit produktif lain", "No other productive loan")),
    _f("entrepreneurship_training", "profile", 0, False, "business maturity", "flag",
       ("Belum mengikuti pelatihan kewirausahaan", "No entrepreneurship training"),
       ("Sudah mengikuti pelatihan kewirausahaan", "Completed entrepreneurship training")),
    # the request itself
    _f("req_amount_to_sales", "request", 1, True, "loan size", "percent",
       ("Pinjaman besar dibanding omzet ({v})", "Loan large relative to sales ({v})"),
       ("Pinjaman wajar dibanding omzet ({v})", "Loan modest relative to sales ({v})")),
    _f("req_installment_to_net_inflow", "request", 1, True, "affordability", "percent",
       ("Angsuran berat dibanding arus kas bersih ({v})",
        "Installment heavy relative to net cash flow ({v})"),
       ("Angsuran ringan dibanding arus kas bersih ({v})",
        "Installment light relative to net cash flow ({v})")),
    _f("req_tenor_months", "request", 0, False, "loan size", "months",
       ("Tenor pinjaman ({v})", "Loan tenor ({v})"),
       ("Tenor pinjaman ({v})", "Loan tenor ({v})")),
)  # fmt: skip

FEATURE_NAMES: tuple[str, ...] = tuple(f.name for f in FEATURES)
FEATURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}
MONOTONE_CONSTRAINTS: tuple[int, ...] = tuple(f.monotone for f in FEATURES)
CHARACTERISTICS: tuple[str, ...] = tuple(dict.fromkeys(f.characteristic for f in FEATURES))

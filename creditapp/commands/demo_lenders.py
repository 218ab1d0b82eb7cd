"""The demo lenders: codes, names, kinds and contacts.

Apart from ``demo`` so that commands which only need the codes (``load-population``) do not
import the seed-demo module, which imports the bulk loaders (an import cycle otherwise).
"""

from __future__ import annotations

DEMO_LENDERS = (
    ("BANK-DEMO", "Bank Demo Nusantara", "bank"),
    ("KSP-DEMO", "Koperasi Simpan Pinjam Demo", "cooperative"),
)
DEMO_CONTACTS = {
    "BANK-DEMO": "Jl. Merdeka 1, Bandung 40111 · (022) 555-0100 · kredit@bankdemo.example",
    "KSP-DEMO": "Jl. Koperasi 7, Yogyakarta 55211 · (0274) 555-0200 · pinjaman@kspdemo.example",
}

"""Enterprises (IMK profiles) and their size-class history, the basis of graduation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, SmallInteger, String
from sqlalchemy.ext.hybrid import Comparator, hybrid_property
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from ..pii import cipher
from .base import Base, check_in, check_non_negative, money, utcnow

GENDERS = ("F", "M")
SIZE_CLASSES = ("micro", "small", "medium", "large")


class Enterprise(Base):
    """A micro or small industry as a lender submitted it; each lender keeps its own copy."""

    __tablename__ = "enterprises"
    __table_args__ = (
        check_in("owner_gender", GENDERS),
        *check_non_negative("assets", "annual_sales"),
        Index("ix_enterprises_lender_nik_hash", "lender_id", "owner_nik_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lender_id: Mapped[int] = mapped_column(ForeignKey("lenders.id"), index=True)
    reference: Mapped[str | None] = mapped_column(String(64))  # the lender's own id
    name: Mapped[str] = mapped_column(String(200))
    owner_name: Mapped[str] = mapped_column(String(200))
    # The NIK, encrypted (AES-GCM) and as a keyed hash for look-ups: see creditapp.pii. Use
    # ``owner_nik`` below; the clear number is never a column.
    owner_nik_enc: Mapped[str] = mapped_column(String(80))
    owner_nik_hash: Mapped[str] = mapped_column(String(64), index=True)
    owner_gender: Mapped[str] = mapped_column(String(1))
    kbli: Mapped[str] = mapped_column(String(5))
    kbli_division: Mapped[int] = mapped_column(SmallInteger, index=True)
    province: Mapped[str] = mapped_column(String(2), index=True)
    regency: Mapped[str] = mapped_column(String(4))
    village: Mapped[str | None] = mapped_column(String(100))  # desa/kelurahan name, optional
    founded_on: Mapped[date] = mapped_column(Date)
    workers: Mapped[int] = mapped_column(Integer)
    assets: Mapped[int] = money()
    annual_sales: Mapped[int] = money()
    other_productive_credit: Mapped[bool] = mapped_column(Boolean, default=False)
    entrepreneurship_training: Mapped[bool] = mapped_column(Boolean, default=False)
    kur_access_count: Mapped[int] = mapped_column(SmallInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @hybrid_property
    def owner_nik(self) -> str:
        """The owner's NIK in clear (decrypted on read; mask it before showing it)."""
        return cipher().decrypt(self.owner_nik_enc)

    @owner_nik.inplace.setter
    def _owner_nik_setter(self, nik: str) -> None:
        c = cipher()
        self.owner_nik_enc = c.encrypt(nik)
        self.owner_nik_hash = c.hash(nik)

    @owner_nik.inplace.comparator
    @classmethod
    def _owner_nik_comparator(cls) -> NikComparator:
        return NikComparator(cls.owner_nik_hash)


class NikComparator(Comparator[str]):
    """``Enterprise.owner_nik == nik`` in a query compares keyed hashes, never clear NIKs."""

    # SQLAlchemy's comparator __eq__ returns a SQL expression, not bool (as object.__eq__ does)
    def __eq__(self, other: object) -> ColumnElement[bool]:  # type: ignore[override]
        column: ColumnElement[str] = self.__clause_element__()  # type: ignore[assignment]  # stubs say a generic clause
        if isinstance(other, str):
            return column == cipher().hash(other)
        return column == other  # another hash column (a join on the same person)


class SizeObservation(Base):
    """The size class of an enterprise observed on a date (PP 7/2021 by sales, BPS by workers)."""

    __tablename__ = "size_observations"
    __table_args__ = (
        check_in("size_class_sales", SIZE_CLASSES),
        check_in("size_class_workers", SIZE_CLASSES),
        *check_non_negative("annual_sales", "assets"),
        Index("ix_size_observations_enterprise_date", "enterprise_id", "observed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    observed_on: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(24))  # application, follow_up, survey
    annual_sales: Mapped[int] = money()
    assets: Mapped[int | None] = money(nullable=True)
    workers: Mapped[int] = mapped_column(Integer)
    size_class_sales: Mapped[str] = mapped_column(String(8))
    size_class_workers: Mapped[str] = mapped_column(String(8))

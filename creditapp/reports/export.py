"""A report as JSON, CSV or XLSX (numbers stay numbers in the spreadsheet)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from openpyxl import Workbook


def cell(value: Any) -> Any:
    """A spreadsheet cell: numbers and text as they are, a list or dict as JSON text."""
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def _is_table(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(row, dict) for row in value)


def flat_figures(report: dict[str, Any]) -> list[tuple[str, Any]]:
    """The report's single figures as (name, value); nested dicts as ``name.key``."""
    out: list[tuple[str, Any]] = []
    for key, value in report.items():
        if isinstance(value, dict):
            out.extend((f"{key}.{k}", cell(v)) for k, v in value.items())
        elif not _is_table(value):
            out.append((key, cell(value)))
    return out


def tables(report: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The report's tables (its entries that are lists of rows)."""
    return {k: v for k, v in report.items() if _is_table(v)}


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    return columns


def to_json(report: dict[str, Any]) -> str:
    return json.dumps(report, ensure_ascii=False, sort_keys=False)


def to_csv(report: dict[str, Any]) -> str:
    """The report's first table, or ``metric,value`` lines when it has none."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    found = tables(report)
    if found:
        rows = next(iter(found.values()))
        columns = _columns(rows)
        writer.writerow(columns)
        writer.writerows([cell(row.get(c)) for c in columns] for row in rows)
    else:
        writer.writerow(["metric", "value"])
        writer.writerows(flat_figures(report))
    return buffer.getvalue()


def to_xlsx(report: dict[str, Any]) -> bytes:
    """A workbook: sheet ``summary`` with the single figures, then one sheet per table."""
    book = Workbook()
    summary = book.active
    summary.title = "summary"
    summary.append(["metric", "value"])
    for name, value in flat_figures(report):
        summary.append([name, value])
    for name, rows in tables(report).items():
        sheet = book.create_sheet(name[:31])
        columns = _columns(rows)
        sheet.append(columns)
        for row in rows:
            sheet.append([cell(row.get(c)) for c in columns])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

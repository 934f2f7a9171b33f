"""The snapshot's files: ``krx_analysis_result.csv`` (rows) and ``..._failures.csv``.

UTF-8 with a BOM, as the original wrote, so Excel reads the Korean names. Both files
are written atomically. ``parse_rows``/``parse_failures`` read back what this module
wrote (bytes in, no I/O) and refuse anything else with a ``ParseError``, whatever the
bytes: ``--resume`` and the "never less than before" rule of a crawl trust them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from stockbench.errors import ForeignErrors, ParseError, clip, parse_error
from stockbench.files import atomic_write_text
from stockbench.market.records import (
    FAILURE_FIELDS,
    ROW_FIELDS,
    Failure,
    Row,
    validate_code,
)
from stockbench.market.snapshot import Snapshot

CSV_ENCODING = "utf-8-sig"  # with BOM, as the original, so Excel reads the Korean names
MAX_INT_DIGITS = 20  # no price, market cap or volume has more
CSV_ERRORS: ForeignErrors = {
    UnicodeDecodeError: "not UTF-8 text",
    csv.Error: "not a CSV file",
}


def failures_path(out: Path) -> Path:
    return out.with_name(f"{out.stem}_failures{out.suffix or '.csv'}")


def rows_csv(rows: Iterable[Row]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(ROW_FIELDS)
    for r in rows:
        writer.writerow((r.name, r.code, r.market, r.price, r.market_cap_eok, r.volume))
    return buf.getvalue()


def failures_csv(failures: Iterable[Failure]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(FAILURE_FIELDS)
    for f in failures:
        writer.writerow((f.code, f.name, f.reason))
    return buf.getvalue()


def write_snapshot(snapshot: Snapshot, out: Path) -> tuple[Path, Path]:
    """Write the rows CSV and ``<stem>_failures.csv`` beside it, each atomically."""
    atomic_write_text(out, rows_csv(snapshot.rows), CSV_ENCODING)
    fail = failures_path(out)
    atomic_write_text(fail, failures_csv(snapshot.failures), CSV_ENCODING)
    return out, fail


def _records(data: bytes, fields: tuple[str, ...], *, source: str) -> list[dict[str, str]]:
    """The records of a CSV with exactly ``fields`` as its header; empty bytes: none."""
    if not data:
        return []
    try:
        reader = csv.DictReader(io.StringIO(data.decode(CSV_ENCODING), newline=""))
        header = tuple(reader.fieldnames or ())
        if header != fields:
            raise ParseError(
                f"columns {clip(list(header))} are not {list(fields)}",
                source=source,
                field="header",
            )
        records = list(reader)
    except tuple(CSV_ERRORS) as exc:
        raise parse_error(exc, CSV_ERRORS, source=source, field="body") from exc
    for n, rec in enumerate(records, start=2):
        if None in rec or any(v is None for v in rec.values()):
            raise ParseError(f"line {n}: not {len(fields)} columns", source=source, field="row")
    return records


def _int(text: str, *, source: str, field: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > MAX_INT_DIGITS:
        raise ParseError(f"{clip(text, 30)!r} is not a whole number", source=source, field=field)
    return int(text)


def parse_rows(data: bytes, *, source: str) -> list[Row]:
    """Rows of a snapshot CSV this module wrote (for ``--resume`` and tests)."""
    rows = []
    for n, rec in enumerate(_records(data, ROW_FIELDS, source=source), start=2):
        where = f"{source} line {n}"
        rows.append(
            Row(
                rec["name"],
                validate_code(rec["code"], source=where),
                rec["market"],
                _int(rec["price"], source=where, field="price"),
                _int(rec["market_cap_eok"], source=where, field="market_cap_eok"),
                _int(rec["volume"], source=where, field="volume"),
            )
        )
    return rows


def parse_failures(data: bytes, *, source: str) -> list[Failure]:
    """Failures of a ``..._failures.csv`` this module wrote."""
    return [
        Failure(validate_code(rec["code"], source=f"{source} line {n}"), rec["name"], rec["reason"])
        for n, rec in enumerate(_records(data, FAILURE_FIELDS, source=source), start=2)
    ]


def read_rows(path: Path) -> list[Row]:
    """``parse_rows`` of a file (``OSError`` when it cannot be read)."""
    return parse_rows(path.read_bytes(), source=str(path))

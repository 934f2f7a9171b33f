"""The snapshot's files: ``krx_analysis_result.csv`` (rows) and ``..._failures.csv``.

UTF-8 with a BOM, as the original wrote, so Excel reads the Korean names. Both files
are written atomically; ``read_rows`` reads back what ``write_snapshot`` wrote (resume).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import Path

from stockbench.errors import ParseError
from stockbench.files import atomic_write_text
from stockbench.market.records import FAILURE_FIELDS, ROW_FIELDS, Failure, Row
from stockbench.market.snapshot import Snapshot

CSV_ENCODING = "utf-8-sig"  # with BOM, as the original, so Excel reads the Korean names


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


def read_rows(path: Path) -> list[Row]:
    """Rows of a snapshot CSV this module wrote (for ``--resume`` and tests)."""
    with path.open(encoding=CSV_ENCODING, newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != ROW_FIELDS:
            raise ParseError(
                f"columns {reader.fieldnames} are not {list(ROW_FIELDS)}",
                source=str(path),
                field="header",
            )
        rows = []
        for n, rec in enumerate(reader, start=2):
            try:
                rows.append(
                    Row(
                        rec["name"],
                        rec["code"],
                        rec["market"],
                        int(rec["price"]),
                        int(rec["market_cap_eok"]),
                        int(rec["volume"]),
                    )
                )
            except (TypeError, ValueError) as exc:
                raise ParseError(f"line {n}: {exc}", source=str(path), field="row") from exc
        return rows

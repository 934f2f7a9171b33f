"""The snapshot's CSV files: what is written reads back; anything else is refused."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stockbench.errors import ParseError
from stockbench.market.csvfile import (
    failures_csv,
    parse_failures,
    parse_rows,
    read_rows,
    rows_csv,
)
from stockbench.market.records import Failure, Row

from ..hostile import HOSTILE

HEADER = "name,code,market,price,market_cap_eok,volume\n"


def test_read_rows_rejects_foreign_csv(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8-sig")
    with pytest.raises(ParseError, match="columns"):
        read_rows(path)


def test_what_is_written_reads_back() -> None:
    rows = [Row("삼성전자", "005930", "KOSPI", 187_100, 11_075_643, 23_787_856)]
    failures = [Failure("0088M0", "메쥬", "polling: HTTP 500, a reason, with commas")]
    assert parse_rows(rows_csv(rows).encode("utf-8-sig"), source="t") == rows
    assert parse_failures(failures_csv(failures).encode("utf-8-sig"), source="t") == failures
    assert parse_rows(b"", source="t") == []  # an empty file holds no rows


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xff\xfe\x00\x01 not text", "not UTF-8 text"),
        ((HEADER + "a,005930,KOSPI,1,2\n").encode(), "line 2: not 6 columns"),
        ((HEADER + "a,005930,KOSPI,1,2,3,4\n").encode(), "line 2: not 6 columns"),
        ((HEADER + "a,5930,KOSPI,1,2,3\n").encode(), "'5930' is not a 6-character stock code"),
        ((HEADER + "a,005930,KOSPI,1e3,2,3\n").encode(), "'1e3' is not a whole number"),
        ((HEADER + f"a,005930,KOSPI,{'9' * 5000},2,3\n").encode(), "is not a whole number"),
        ((HEADER + '"' + "x" * 200_000 + '",005930,KOSPI,1,2,3\n').encode(), "not a CSV file"),
    ],
)
def test_bad_files_are_short_parse_errors(data: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        parse_rows(data, source="x.csv")
    assert len(str(info.value)) < 200


@HOSTILE
@given(st.binary(max_size=600) | st.text(max_size=300).map(lambda t: (HEADER + t).encode()))
def test_arbitrary_bytes_raise_only_parse_error(data: bytes) -> None:
    for parse in (parse_rows, parse_failures):
        with contextlib.suppress(ParseError):
            parse(data, source="x.csv")

"""The snapshot's CSV files: what is written reads back; anything else is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockbench.errors import ParseError
from stockbench.market.csvfile import read_rows


def test_read_rows_rejects_foreign_csv(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8-sig")
    with pytest.raises(ParseError, match="columns"):
        read_rows(path)

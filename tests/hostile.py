"""Hypothesis strategies for what a hostile server (or file) sends: numbers of thousands
of digits, nesting thousands deep, dates and time zones no calendar holds."""

from __future__ import annotations

import json

from hypothesis import settings
from hypothesis import strategies as st

# The hostile property tests: more examples than the default 100 (each takes a few ms),
# and no per-example deadline (a slow CI machine must not turn one into a failure).
HOSTILE = settings(max_examples=500, deadline=None)

# Integer text far past any quote, and past int()'s 4,300-digit default limit.
huge_ints = (
    st.integers(min_value=-(10**4000), max_value=10**4000).map(str)
    | st.integers(min_value=4000, max_value=20_000).map(lambda n: "9" * n)
    | st.sampled_from([str(10**15), str(2**63), str(2**64), str(10**300), "-1"])
)


def _grouped(digits: str) -> str:
    head = len(digits) % 3 or 3
    return ",".join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


# Number text as Naver writes it (commas every three digits), long and short.
digit_strings = st.integers(min_value=1, max_value=6000).flatmap(
    lambda n: st.sampled_from(["9" * n, _grouped("9" * n), "-" + "9" * n, "0"])
)


def nested(depth: int, opener: str) -> bytes:
    closer = {"[": "]", '{"a":': "}"}[opener]
    return (opener * depth + "1" + closer * depth).encode()


# JSON nested up to 200,000 deep (Python's parser gives up near 1,000).
deep_json = st.builds(
    nested, st.integers(min_value=1, max_value=200_000), st.sampled_from(["[", '{"a":'])
)


def json_with_huge_int(digits: str) -> bytes:
    return b'{"totalCount": ' + digits.encode() + b', "stocks": [], "datas": []}'


_DAYS = st.sampled_from(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "Xyz", ""])
_MONTHS = st.sampled_from(["Jan", "Feb", "Jun", "Dec", "Foo", ""])
_ZONES = st.integers(min_value=-(10**30), max_value=10**30).map(
    lambda n: f"{n:+05d}"
) | st.sampled_from(["+0900", "-2400", "+2359", "+9999", "GMT", "UT", "EST", "Z", "+", ""])
# RFC 822 dates with every field pushed past what a calendar holds.
extreme_dates = st.builds(
    "{}, {} {} {} {}:{}:{} {}".format,
    _DAYS,
    st.integers(min_value=-5, max_value=10**25),
    _MONTHS,
    st.integers(min_value=-(10**25), max_value=10**25),
    st.integers(min_value=0, max_value=10**12),
    st.integers(min_value=0, max_value=99),
    st.integers(min_value=0, max_value=99),
    _ZONES,
) | st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=60)  # XML-safe text


def json_doc(doc: object) -> bytes:
    return json.dumps(doc).encode()

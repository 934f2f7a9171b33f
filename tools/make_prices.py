"""Write ``src/stockbench/data/prices.json``: EC2 on-demand prices the report bundles.

Linux, shared tenancy, USD per instance-hour, from AWS's public on-demand price list as
compiled for stockbench in November 2026. Within a family AWS prices every size in
proportion to its vCPUs and memory, so each family is written from one anchor price
and the size multipliers. A (region, family) without an anchor here was not verified:
its types are written as explicitly absent, with the reason, and the report says "no
price" for them (``--prices aws`` asks AWS's Price List API instead).
Run it again only to change the table: ``python tools/make_prices.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src/stockbench/data/prices.json"
SIZES = ("nano", "micro", "small", "medium", "large", "xlarge")
SCALE = {"nano": 0.125, "micro": 0.25, "small": 0.5, "medium": 1, "large": 2, "xlarge": 4}
# The sizes each family is sold in (within nano..xlarge).
FAMILY_SIZES = {
    **{f: SIZES for f in ("t2", "t3", "t3a", "t4g")},
    **{f: ("large", "xlarge") for f in ("m5", "m6i", "m7i", "c5", "c6i", "c7i")},
    **{f: ("medium", "large", "xlarge") for f in ("m6g", "m7g", "m8g", "c6g", "c7g", "c8g")},
}
# The price of the family's medium size (or of half a large one), per region.
ANCHORS = {
    "us-east-1": {
        "t2": 0.0464,
        "t3": 0.0416,
        "t3a": 0.0376,
        "t4g": 0.0336,
        "m5": 0.048,
        "m6i": 0.048,
        "m6g": 0.0385,
        "m7i": 0.0504,
        "m7g": 0.0408,
        "m8g": 0.04488,
        "c5": 0.0425,
        "c6i": 0.0425,
        "c6g": 0.034,
        "c7i": 0.044625,
        "c7g": 0.03625,
        "c8g": 0.03988,
    },
    "ap-northeast-2": {
        "t2": 0.0576,
        "t3": 0.052,
        "t3a": 0.0468,
        "t4g": 0.0416,
        "m5": 0.059,
        "m6i": 0.059,
        "c5": 0.048,
        "c6i": 0.048,
    },
}
# Where AWS's list departs from the proportional price.
EXCEPTIONS = {"us-east-1": {"t2.small": 0.023}}
UNVERIFIED = "not verified for this table; use --prices aws or a --prices file"


def main() -> None:
    regions: dict[str, dict[str, object]] = {}
    for region, anchors in ANCHORS.items():
        table: dict[str, object] = {}
        for family, sizes in FAMILY_SIZES.items():
            for size in SIZES:
                name = f"{family}.{size}"
                if size not in sizes:
                    table[name] = {"absent": f"{family} is not sold in size {size}"}
                elif family not in anchors:
                    table[name] = {"absent": UNVERIFIED}
                else:
                    exact = EXCEPTIONS.get(region, {}).get(name)
                    table[name] = exact or round(anchors[family] * SCALE[size], 6)
        regions[region] = table
    doc = {
        "description": "EC2 on-demand Linux prices, USD per instance-hour, shared tenancy",
        "source": "AWS EC2 on-demand price list, compiled for stockbench",
        "as_of": "2026-11",
        "note": "Re-check before publishing a verdict. Sizes of a family scale linearly; "
        "an absent entry says why it has no price.",
        "families": sorted(FAMILY_SIZES),
        "sizes": list(SIZES),
        "regions": regions,
    }
    OUT.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()

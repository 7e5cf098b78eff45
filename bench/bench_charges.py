"""How fast the charge parser is, cached and uncached. Prints figures; asserts nothing.

Run: /work/venv/bin/python bench/bench_charges.py
"""

from __future__ import annotations

import random
import time

from rules.charges import parse_charge

SECTIONS = ["11357", "11358", "11359", "11360", "187", "186.22", "288A", "647", "4060", "503"]
SUBS = ["", "(A)", "(B)", "(C)(2)", "(A)(2)(B)"]
FORMS = ["{s}{d} HS-DESCR", "HS {s}{d}", "664/{s}{d} PC", "{s}{d}PC-X", "H&S {s}{d}", "{s}{d}"]


def main() -> None:
    rng = random.Random(7)
    texts = [
        rng.choice(FORMS).format(s=rng.choice(SECTIONS), d=rng.choice(SUBS)) + f" {i}"
        for i in range(200_000)
    ]
    parse_charge.cache_clear()
    start = time.perf_counter()
    for t in texts:
        parse_charge(t)
    cold = time.perf_counter() - start
    # Cached: a county file's distinct charges (well under the cache size) looked up again.
    hot = texts[:50_000] * 4
    for t in hot[:50_000]:
        parse_charge(t)
    start = time.perf_counter()
    for t in hot:
        parse_charge(t)
    warm = time.perf_counter() - start
    info = parse_charge.cache_info()
    print(f"uncached: {len(texts) / cold:,.0f} distinct charges/s")
    print(
        f"cached:   {len(hot) / warm:,.0f} lookups/s ({info.currsize:,} of {info.maxsize:,} cached)"
    )


if __name__ == "__main__":
    main()

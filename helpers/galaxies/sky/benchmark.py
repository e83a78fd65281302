"""Throughput of the synthetic-sky renderer: galaxies per second at each resolution.

    python -m helpers.galaxies.sky.benchmark [--n 300] [--workers 1]

Draws the first ``n`` galaxies of a 15,000-galaxy catalogue (the thesis's sample size) in SDSS only,
HSC only and both, without the cache, and prints galaxies per second and the implied time for 15,000.
``galaxies_per_cpu_s`` divides by the CPU time of this process (one core with ``--workers 1``), which
other jobs on a shared machine disturb far less than the wall-clock rate.
"""

from __future__ import annotations

import argparse
import json
import time

from helpers.galaxies.sky.data import load_catalogue
from helpers.galaxies.sky.render import render


def run(n: int = 300, workers: int = 1) -> dict:
    cat = load_catalogue(15_000, seed=0)
    render(cat, range(20), ("sdss", "hsc"), progress=False)  # warm GalSim's Sersic tables
    out = {"n": n, "workers": workers}
    for surveys in (("sdss",), ("hsc",), ("sdss", "hsc")):
        t, c = time.perf_counter(), time.process_time()
        render(cat, range(n), surveys, workers=workers, progress=False)
        dt, dc = time.perf_counter() - t, time.process_time() - c
        key = "+".join(surveys)
        out[key] = {
            "seconds": round(dt, 2),
            "galaxies_per_s": round(n / dt, 1),
            "galaxies_per_cpu_s": round(n / dc, 1) if workers == 1 else None,
            "minutes_for_15000": round(15_000 / (n / dt) / 60, 1),
        }
    return out


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args(argv)
    print(json.dumps(run(a.n, a.workers), indent=2))


if __name__ == "__main__":
    main()

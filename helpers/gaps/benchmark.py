"""Benchmark of the GAPS simulator: events per second on one core, and where the time goes.

OMP_NUM_THREADS=1 python -m helpers.gaps.benchmark            # the study's 2 × 40,000 events
OMP_NUM_THREADS=1 python -m helpers.gaps.benchmark --n 5000 --profile
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time

from helpers.gaps.simulate import SPECIES, simulate


def run(n_per_class: int, incidence: str) -> dict:
    out = {}
    for sp in SPECIES:
        t0 = time.perf_counter()
        ev = simulate(sp, n_per_class, incidence=incidence, seed=1)
        dt = time.perf_counter() - t0
        out[sp] = {
            "seconds": dt,
            "events_per_s": n_per_class / dt,
            "thrown_per_s": int(ev["n_generated"]) / dt,
            "accepted": n_per_class / int(ev["n_generated"]),
        }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=40000, help="events per class (default: the study's 40,000)")
    ap.add_argument("--profile", action="store_true", help="print the 15 most expensive functions")
    args = ap.parse_args(argv)
    # one-off start-up (range and Landau tables, SciPy imports) is not per-event cost: pay it first
    t0 = time.perf_counter()
    simulate("antiproton", 200, incidence="fixed", seed=0)
    print(f"start-up (tables, imports, 200 events): {time.perf_counter() - t0:.2f} s")
    total = 0.0
    for inc in ("fixed", "random"):
        res = run(args.n, inc)
        for sp, r in res.items():
            total += r["seconds"]
            print(
                f"{inc:6s} {sp:12s} {r['seconds']:6.2f} s  {r['events_per_s']:8.0f} accepted ev/s  "
                f"{r['thrown_per_s']:8.0f} thrown/s  acceptance {r['accepted']:.3f}"
            )
    print(f"total for 2 × {args.n} events at both incidences: {total:.1f} s")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        simulate("antideuteron", args.n, incidence="random", seed=2)
        prof.disable()
        buf = io.StringIO()
        pstats.Stats(prof, stream=buf).sort_stats("tottime").print_stats(15)
        print(buf.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

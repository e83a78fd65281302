"""Cached GAPS data sets: events of both species, assembled for classification."""

from __future__ import annotations

import numpy as np

from ..cache import cached_arrays
from . import constants as C
from .geometry import Tracker
from .simulate import GENERATOR_VERSION, SPECIES, Prongs, simulate, to_grid


def load_events(species, n_events, *, incidence="fixed", seed=0, beta_range=(0.2, 0.5),
                noise=C.NOISE_MEV, threshold=C.THRESHOLD_MEV, tracker: Tracker | None = None,
                prongs: Prongs | None = None, progress=True, folder=None) -> dict:
    """:func:`helpers.ch02.simulate.simulate`'s events, from the on-disk cache when present."""
    tracker = tracker or Tracker()
    prongs = prongs or (Prongs.default(species) if species in SPECIES else None)
    params = {"species": species, "n_events": int(n_events), "incidence": incidence, "seed": int(seed),
              "beta_range": [float(b) for b in beta_range], "noise": float(noise),
              "threshold": float(threshold), "tracker": tracker.as_dict(),
              "prongs": None if prongs is None else vars(prongs)}
    return cached_arrays(
        "gaps-events", params,
        lambda: simulate(species, n_events, incidence=incidence, seed=seed, beta_range=beta_range,
                         noise=noise, threshold=threshold, tracker=tracker, prongs=prongs,
                         progress=progress),
        version=GENERATOR_VERSION, folder=folder)


def load_dataset(n_per_class, *, incidence="fixed", seed=0, **kw) -> dict:
    """Both species, ``n_per_class`` each, shuffled together.

    Returns ``x`` (n, 10, 12, 12) deposits in MeV, ``t`` (n, 10, 12, 12) first-hit times in ns,
    ``y`` (n,) with 0 = antiproton, 1 = antideuteron, and per-event truth arrays.
    """
    seeds = np.random.SeedSequence(seed).generate_state(2)
    parts = [load_events(sp, n_per_class, incidence=incidence, seed=int(s), **kw)
             for sp, s in zip(SPECIES, seeds)]
    x = np.concatenate([to_grid(p, "edep") for p in parts])
    t = np.concatenate([to_grid(p, "time") for p in parts])
    y = np.concatenate([np.full(n_per_class, SPECIES[sp][1], np.int8) for sp in SPECIES])
    truth = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]
             if parts[0][k].ndim == 1 and len(parts[0][k]) == n_per_class}
    order = np.random.default_rng(seed).permutation(len(y))
    return {"x": x[order], "t": t[order], "y": y[order],
            "truth": {k: v[order] for k, v in truth.items()},
            "accepted_fraction": {sp: n_per_class / int(p["n_generated"]) for sp, p in zip(SPECIES, parts)}}

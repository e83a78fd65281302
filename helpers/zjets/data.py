"""Cached Z → μμ + jets samples: particle level, detector level, and the arrays OmniFold reads.

``load_world`` generates (or reads from the cache) Pythia events of one world and keeps the events
that could enter the analysis at either level: two muons with pT > 20 GeV, |η| < 2.5 and a dimuon
pT above 170 GeV at particle level (the detector smears muon pT by 2–4 % at these momenta, so an
event below that cannot be reconstructed above 200 GeV). ``analysis_sample`` adds the detector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.pipeline.cache import cached_arrays
from helpers.zjets import constants as C
from helpers.zjets.detector import Detector
from helpers.zjets.generate import CHUNK, generate, settings
from helpers.zjets.observables import COLUMNS, dilepton, event_table

PRESELECTION = {"muon_pt_min": 20.0, "muon_eta_max": 2.5, "pt_ll_min": 170.0}
VERSION = 1


def _preselect(raw):
    mu = raw["muons"]
    lep = dilepton(mu)
    with np.errstate(invalid="ignore"):
        return (
            (mu[:, :, 0] > PRESELECTION["muon_pt_min"]).all(axis=1)
            & (np.abs(mu[:, :, 1]) < PRESELECTION["muon_eta_max"]).all(axis=1)
            & (lep["pT_ll"] > PRESELECTION["pt_ll_min"])
        )


def _subset(raw, keep):
    counts = raw["track_counts"]
    per_track = np.repeat(keep, counts)
    out = {"muons": raw["muons"][keep], "track_counts": counts[keep]}
    for k in ("track_pt", "track_eta", "track_phi"):
        out[k] = raw[k][per_track]
    return out


def load_world(
    world: str, n_events: int, seed: int, *, processes: int | None = None, progress: bool = True
) -> dict[str, np.ndarray]:
    """``n_events`` generated events of ``world`` ('mc', 'data' or 'alt'), preselected; cached on
    disk under a key of every setting. Adds ``n_generated`` and ``sigma_pb`` (Pythia's cross-section
    of the generated process and its error)."""
    params = {
        "world": world,
        "n_events": int(n_events),
        "seed": int(seed),
        "settings": list(settings(world)),
        "chunk": CHUNK,
        "preselection": PRESELECTION,
        "store_track_pt_min": C.STORE_TRACK_PT_MIN_GEV,
    }

    def build():
        raw = generate(world, n_events, seed, processes=processes, progress=progress)
        out = _subset(raw, _preselect(raw))
        out["n_generated"] = np.array([n_events])
        out["sigma_pb"] = raw["sigma_pb"]
        return out

    return cached_arrays(f"zjets-{world}", params, build, version=VERSION, fmt="h5")


@dataclass
class Sample:
    """One world's events at both levels. ``gen`` / ``reco``: column → (events,) arrays (NaN for absent
    jets); ``pass_gen`` / ``pass_reco``: the fiducial selection at each level."""

    world: str
    gen: dict
    reco: dict
    pass_gen: np.ndarray
    pass_reco: np.ndarray
    n_generated: int
    sigma_pb: float
    detector: Detector

    @property
    def fiducial_sigma_pb(self) -> float:
        return self.sigma_pb * self.pass_gen.sum() / self.n_generated

    def features(self, level: str) -> np.ndarray:
        if level not in ("gen", "reco"):
            raise ValueError(f"level must be 'gen' or 'reco', got {level!r}")
        return features(self.gen if level == "gen" else self.reco)

    def __len__(self):
        return len(self.pass_gen)

    def split(self, fraction: float, seed: int) -> tuple[Sample, Sample]:
        """Two statistically independent halves (a random ``fraction`` and the rest), each standing
        for its share of the generated events — e.g. a simulation and a pseudo-data for closure."""
        if not 0 < fraction < 1:
            raise ValueError(f"fraction must lie in (0, 1), got {fraction}")
        take = np.random.default_rng(seed).random(len(self)) < fraction
        parts = []
        for sel, f in ((take, fraction), (~take, 1 - fraction)):
            parts.append(
                Sample(
                    self.world,
                    {k: v[sel] for k, v in self.gen.items()},
                    {k: v[sel] for k, v in self.reco.items()},
                    self.pass_gen[sel],
                    self.pass_reco[sel],
                    int(round(self.n_generated * f)),
                    self.sigma_pb,
                    self.detector,
                )
            )
        return parts[0], parts[1]


def analysis_sample(
    world: str,
    n_events: int,
    seed: int,
    *,
    detector: Detector | None = None,
    detector_seed: int | None = None,
    processes: int | None = None,
    progress: bool = True,
) -> Sample:
    """Particle-level and detector-level tables of one world (every preselected event, in the same
    order for every detector, so that weights from unfolding with a varied detector sit on the
    same particle-level events)."""
    detector = detector or Detector()
    raw = load_world(world, n_events, seed, processes=processes, progress=progress)
    gen = event_table(raw)
    reco = event_table(detector.simulate(raw, seed=seed + 1 if detector_seed is None else detector_seed))
    return Sample(
        world,
        gen,
        reco,
        gen.pop("pass"),
        reco.pop("pass"),
        int(raw["n_generated"][0]),
        float(raw["sigma_pb"][0]),
        detector,
    )


def features(table: dict, columns=COLUMNS) -> np.ndarray:
    """(events, 26) network inputs: the 24 columns (NaN for an absent jet, which the unfolding's
    standardiser sets to the mean) plus two 0/1 flags saying whether each jet exists — the mask that
    tells the network "no jet" apart from "an average jet"."""
    missing = [c for c in columns if c not in table]
    if missing:
        raise KeyError(f"table lacks columns {missing}")
    x = np.stack([np.asarray(table[c], float) for c in columns], axis=1)
    flags = np.stack([~np.isnan(np.asarray(table[f"pT_trackj{j}"], float)) for j in (1, 2)], axis=1)
    return np.concatenate([x, flags.astype(float)], axis=1)


def worlds(
    n_mc: int,
    n_data: int,
    n_alt: int,
    seed: int,
    *,
    detector: Detector | None = None,
    processes: int | None = None,
    progress: bool = True,
) -> dict[str, Sample]:
    """The chapter's three samples with independent seeds (seed, seed + 1, seed + 2): the simulation
    'mc', the pseudo-data 'data' (whose particle level is the truth to recover) and the alternative
    prior 'alt'. Every notebook of the chapter calls this with the same arguments and shares the cache."""
    sizes = {"mc": n_mc, "data": n_data, "alt": n_alt}
    return {
        w: analysis_sample(w, n, seed + i, detector=detector, processes=processes, progress=progress)
        for i, (w, n) in enumerate(sizes.items())
    }

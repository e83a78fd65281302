"""Pythia 8 Z/γ* → μμ + jets events, reduced to what the analysis needs.

Per event we keep the two hardest final-state muons (pT, η, φ, charge) and every other charged
final-state particle with pT > 0.4 GeV and |η| < 2.5 (pT, η, φ): enough to build the particle-level
observables and to run the detector model any number of times. Generation runs in worker
processes, one Pythia per chunk of events with its own seed, so the result depends only on
(world, number of events, seed, chunk size) and not on the number of processes.
"""

from __future__ import annotations

import os

import numpy as np

from helpers.zjets import constants as C

CHUNK = 500  # events per Pythia instance (one seed each); nextBatch needs small batches


def settings(world: str) -> tuple[str, ...]:
    if world not in C.TUNES:
        raise ValueError(f"unknown world {world!r}: expected one of {sorted(C.TUNES)}")
    return C.PROCESS_SETTINGS + C.TUNES[world]


def _pythia(world: str, seed: int):
    import pythia8mc

    py = pythia8mc.Pythia("", False)
    for s in settings(world) + ("Random:setSeed = on", f"Random:seed = {seed}"):
        if not py.readString(s):
            raise RuntimeError(f"Pythia refused the setting {s!r}")
    if not py.init():
        raise RuntimeError(f"Pythia failed to initialise for world {world!r} (seed {seed})")
    return py


def _reduce(batch, charge_of) -> dict[str, np.ndarray]:
    """Awkward batch of events → muon and track arrays."""
    import awkward as ak

    prt = batch.prt
    final = prt[prt.status > 0]
    counts = ak.to_numpy(ak.num(final))
    ids = ak.to_numpy(ak.flatten(final.id))
    p = final.p
    px, py_, pz, e = (ak.to_numpy(ak.flatten(getattr(p, c))) for c in ("px", "py", "pz", "e"))
    pt = np.hypot(px, py_)
    with np.errstate(divide="ignore", invalid="ignore"):
        eta = np.arcsinh(np.where(pt > 0, pz / np.where(pt > 0, pt, 1), np.sign(pz) * 1e6))
    phi = np.arctan2(py_, px)
    event = np.repeat(np.arange(len(counts)), counts)
    n = len(counts)

    uniq = np.unique(ids)
    charge = np.zeros(len(ids), np.int8)
    for i in uniq:
        charge[ids == i] = charge_of(int(i))

    # the two hardest muons of each event
    is_mu = np.abs(ids) == 13
    mu_idx = np.flatnonzero(is_mu)
    order = np.lexsort((-pt[mu_idx], event[mu_idx]))
    mu_idx = mu_idx[order]
    mu_event = event[mu_idx]
    first = np.searchsorted(mu_event, np.arange(n))
    rank = np.arange(len(mu_idx)) - first[mu_event]
    keep = rank < 2
    muons = np.full((n, 2, 4), np.nan, np.float64)
    sel = mu_idx[keep]
    muons[mu_event[keep], rank[keep]] = np.stack([pt[sel], eta[sel], phi[sel], charge[sel]], axis=1)
    selected = np.zeros(len(ids), bool)
    selected[sel] = True

    trk = (charge != 0) & ~selected & (pt > C.STORE_TRACK_PT_MIN_GEV) & (np.abs(eta) < C.TRACK_ETA_MAX)
    return {
        "muons": muons,
        "track_counts": np.bincount(event[trk], minlength=n).astype(np.int32),
        "track_pt": pt[trk].astype(np.float32),
        "track_eta": eta[trk].astype(np.float32),
        "track_phi": phi[trk].astype(np.float32),
    }


def generate_chunk(world: str, n_events: int, seed: int) -> dict[str, np.ndarray]:
    """``n_events`` events of ``world`` from one Pythia instance seeded with ``seed``."""
    if n_events < 1:
        raise ValueError(f"n_events must be >= 1, got {n_events}")
    if not 0 < seed < 900_000_000:
        raise ValueError(f"Pythia seeds must lie in 1..900000000, got {seed}")
    py = _pythia(world, seed)
    charge_cache: dict[int, int] = {}

    def charge_of(pid):
        if pid not in charge_cache:
            charge_cache[pid] = int(np.sign(py.particleData.chargeType(pid)))
        return charge_cache[pid]

    parts = []
    done = 0
    while done < n_events:
        k = min(250, n_events - done)
        parts.append(_reduce(py.nextBatch(k), charge_of))
        done += k
    out = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    info = py.infoPython()
    out["sigma_pb"] = np.array([info.sigmaGen() * 1e9, info.sigmaErr() * 1e9])  # mb → pb
    return out


def _chunk_job(args):
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    return generate_chunk(*args)


def generate(
    world: str, n_events: int, seed: int, *, processes: int | None = None, progress: bool = True
) -> dict[str, np.ndarray]:
    """``n_events`` events of ``world`` in chunks of ``CHUNK`` (chunk i seeded ``seed·10⁴ + i + 1``),
    run on ``processes`` worker processes (default: PHYSML_THREADS or the CPU count), or on a Dask
    cluster when ``PHYSML_DASK_SCHEDULER`` is set (:mod:`helpers.pipeline.executor`)."""
    settings(world)
    if n_events < 1:
        raise ValueError(f"n_events must be >= 1, got {n_events}")
    if not 0 <= seed < 90_000:
        raise ValueError(f"seed must lie in 0..89999, got {seed}")
    sizes = [CHUNK] * (n_events // CHUNK) + ([n_events % CHUNK] if n_events % CHUNK else [])
    jobs = [(world, k, seed * 10_000 + i + 1) for i, k in enumerate(sizes)]
    if processes is None:
        processes = int(os.environ.get("PHYSML_THREADS", os.cpu_count() or 1))
    processes = max(1, min(processes, len(jobs)))
    from tqdm.auto import tqdm

    bar = tqdm(total=n_events, desc=f"Pythia 8 ({world})", unit="ev", disable=not progress)
    from helpers.pipeline.executor import run_tasks

    # serial, local processes ("fork": Pythia holds no threads) or a Dask cluster; chunks keep their seeds
    results = run_tasks(
        _chunk_job, jobs, workers=processes, start_method="fork", on_result=lambda i, _: bar.update(jobs[i][1])
    )
    bar.close()
    out = {key: np.concatenate([r[key] for r in results]) for key in results[0] if key != "sigma_pb"}
    sig = np.array([r["sigma_pb"] for r in results])
    w = np.array(sizes, float)
    # chunks are independent estimates of one cross-section: size-weighted mean and its error
    out["sigma_pb"] = np.array([np.average(sig[:, 0], weights=w), np.sqrt(np.sum((w * sig[:, 1]) ** 2)) / w.sum()])
    return out

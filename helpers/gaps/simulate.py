"""Vectorised Monte Carlo of antiproton and antideuteron events in the GAPS-like tracker.

What happens to one event, in order:

1. An antiproton or antideuteron enters the top of the tracker with speed β (uniform in
   ``beta_range``), at a uniform point of the top plane, either vertically ("fixed", 0°) or from
   an isotropic flux through the plane ("random": cos θ = √U, φ uniform).
2. It flies in a straight line (multiple scattering, ≈ 17 mrad per layer, is neglected against
   the 13 cm pitch) and loses energy in every detector it crosses, over its exact chord through
   the disk (faces and rim): Bethe–Bloch mean from the
   range table, Bohr (Gaussian) straggling. Between detectors there is vacuum.
3. If its residual range ends inside a detector it stops there; events whose primary leaves the
   tracker are rejected (the accepted fraction is reported).
4. At rest it forms an exotic atom: three X-ray lines with their yields, emitted isotropically,
   absorbed in silicon with the XCOM attenuation coefficient (full energy at the first
   interaction; Compton escape is neglected).
5. It annihilates: a Poisson number of charged pions (kinetic energy Γ-distributed around
   250 MeV) and of nuclear protons (exponential, tens of MeV), isotropic, each tracked in a
   straight line through the layers with Landau (pions) or Bohr (protons) fluctuations until it
   stops or leaves. Neutral pions, neutrons and the recoiling nucleus deposit nothing here.
6. Each detector sums its deposits; Gaussian noise is added and a threshold applied. Each hit
   keeps the time of its first deposit (ns after the primary entered).

Events are stored sparsely (hits and deposits as lists); :func:`to_grid` makes the (layer, x, y)
arrays that the CNN reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from helpers.gaps import constants as C
from helpers.gaps.geometry import Tracker
from helpers.gaps.physics import (
    beta_from_kinetic,
    bohr_sigma,
    kinetic_from_beta,
    landau_mpv,
    landau_xi,
    range_table,
    sample_landau_loss,
    t_max,
    xray_interaction_probability,
)

SPECIES = {"antiproton": (C.M_PROTON, 0), "antideuteron": (C.M_DEUTERON, 1)}
INCIDENCES = ("fixed", "random")
KINDS = {"primary": 0, "pion": 1, "proton": 2, "xray": 3}
GENERATOR_VERSION = 1  # bump when a change alters the events generated for a given seed


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _check(species, n_events, incidence, beta_range, noise, threshold):
    if species not in SPECIES:
        raise ValueError(f"unknown species {species!r}; choose one of {', '.join(SPECIES)}")
    if isinstance(n_events, bool) or not isinstance(n_events, (int, np.integer)) or n_events < 1:
        raise ValueError(f"n_events must be a positive integer, got {n_events!r}")
    if incidence not in INCIDENCES:
        raise ValueError(f"unknown incidence {incidence!r}; choose 'fixed' (0°) or 'random' (isotropic)")
    try:
        lo, hi = (float(b) for b in beta_range)
    except (TypeError, ValueError):
        raise ValueError(f"beta_range must be two numbers (lo, hi), got {beta_range!r}") from None
    if not (0 < lo < hi < 1):
        raise ValueError(f"beta_range must satisfy 0 < lo < hi < 1, got {beta_range!r}")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a non-negative energy in MeV, got {noise!r}")
    if not (np.isfinite(threshold) and threshold >= 0):
        raise ValueError(f"threshold must be a non-negative energy in MeV, got {threshold!r}")
    return lo, hi


# ---------------------------------------------------------------------------------------------
# Energy loss in one piece of silicon
# ---------------------------------------------------------------------------------------------


def energy_loss(rng, T, path_cm, mass):
    """Sampled energy loss over ``path_cm`` of silicon for kinetic energies ``T`` (MeV).

    Returns (ΔE, stopped, s) where ``stopped`` marks particles that come to rest within the path
    (ΔE = T) and ``s`` is the path actually travelled (cm). Fluctuations: Landau where
    κ = ξ/T_max < 0.1 (fast, light particles), Gaussian (Bohr) otherwise.
    """
    T = np.asarray(T, float)
    path_cm = np.broadcast_to(np.asarray(path_cm, float), T.shape)
    table = range_table(mass)
    Lg = path_cm * C.SI_DENSITY
    R = table.range(T)
    stopped = R <= Lg
    mean = T - table.kinetic(np.maximum(R - Lg, 0.0))
    beta = np.clip(beta_from_kinetic(np.maximum(T, 1e-9), mass), 1e-6, 1 - 1e-12)
    dE = mean + rng.normal(size=T.shape) * bohr_sigma(Lg)
    kappa = landau_xi(beta, Lg) / t_max(beta, mass)
    lan = np.flatnonzero((kappa < 0.1) & ~stopped & (Lg > 0))
    if lan.size:
        mpv = landau_mpv(beta[lan], mass, Lg[lan])
        # one collision transfers at most T_max, which bounds the Landau tail
        dE[lan] = np.minimum(
            sample_landau_loss(rng, mean[lan], mpv, landau_xi(beta[lan], Lg[lan])), mpv + t_max(beta[lan], mass)
        )
    dE = np.where(Lg > 0, np.maximum(dE, 0.0), 0.0)
    stopped = stopped | ((dE >= T) & (Lg > 0))
    dE = np.where(stopped, T, dE)
    s = np.where(stopped, np.minimum(R / C.SI_DENSITY, path_cm), path_cm)
    return dE, stopped, s


# ---------------------------------------------------------------------------------------------
# Transport
# ---------------------------------------------------------------------------------------------


class _Deposits:
    def __init__(self):
        self.parts = []

    def add(self, ev, cell, e, t, kind):
        if len(ev):
            self.parts.append(
                (
                    np.asarray(ev, np.int64),
                    np.asarray(cell, np.int64),
                    np.asarray(e, float),
                    np.asarray(t, float),
                    np.full(len(ev), KINDS[kind], np.int8),
                )
            )

    def arrays(self):
        if not self.parts:
            return (np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), np.zeros(0), np.zeros(0, np.int8))
        return tuple(np.concatenate(x) for x in zip(*self.parts))


def isotropic(rng, n):
    cz = rng.uniform(-1, 1, n)
    phi = rng.uniform(0, 2 * np.pi, n)
    s = np.sqrt(1 - cz**2)
    return np.stack([s * np.cos(phi), s * np.sin(phi), cz], axis=1)


def transport(rng, tracker: Tracker, deps: _Deposits, ev, pos, d, T, mass, kind, t0, start_layer, start_ij=None):
    """Track charged particles in straight lines through the layers, depositing energy.

    Particles start at ``pos`` (inside detector ``start_ij`` of ``start_layer`` if given, else
    above the tracker with ``start_layer = -1``). Returns a dict with, per particle, whether and
    where it stopped (layer, i, j, position, time).
    """
    n = len(T)
    T = np.asarray(T, float).copy()
    pos = np.asarray(pos, float)
    clock = np.asarray(t0, float).copy()
    last = pos.copy()
    alive = T > 0
    stop_layer = np.full(n, -1)
    stop_i = np.full(n, -1)
    stop_j = np.full(n, -1)
    stop_pos = np.full((n, 3), np.nan)
    stop_t = np.full(n, np.nan)
    start_layer = np.broadcast_to(np.asarray(start_layer), (n,)).copy()

    def record_stop(idx, layer, i, j, p, t):
        stop_layer[idx], stop_i[idx], stop_j[idx] = layer, i, j
        stop_pos[idx] = p
        stop_t[idx] = t

    if start_ij is not None:
        i, j = start_ij
        s0 = tracker.exit_distance(pos, d, start_layer, i, j)
        dE, stopped, s = energy_loss(rng, T, s0, mass)
        deps.add(ev, tracker.cell(start_layer, i, j), dE, clock, kind)
        T -= dE
        st = np.flatnonzero(stopped & alive)
        record_stop(st, start_layer[st], i[st], j[st], pos[st] + d[st] * s[st, None], clock[st])
        alive &= ~stopped

    dz = d[:, 2]
    sign = np.where(dz < 0, 1, -1)
    alive &= dz != 0
    for step in range(1, tracker.n_layers + 1):
        layer = start_layer + sign * step
        idx = np.flatnonzero(alive & (layer >= 0) & (layer < tracker.n_layers))
        if idx.size == 0:
            break
        lay = layer[idx]
        s = (tracker.layer_mid(lay) - pos[idx, 2]) / dz[idx]
        p = pos[idx] + s[:, None] * d[idx]
        out = (np.abs(p[:, 0]) > tracker.half_width) | (np.abs(p[:, 1]) > tracker.half_width)
        alive[idx[out]] = False
        i, j, _ = tracker.detector_at(p[:, 0], p[:, 1])
        s_in, s_out = tracker.segment(pos[idx], d[idx], lay, i, j)
        hit = (s_out > s_in) & ~out
        if not hit.any():
            continue
        h = idx[hit]
        lay, i, j, s_in, s_out = lay[hit], i[hit], j[hit], s_in[hit], s_out[hit]
        entry = pos[h] + s_in[:, None] * d[h]
        beta = np.clip(beta_from_kinetic(T[h], mass), 1e-6, None)
        clock[h] += np.linalg.norm(entry - last[h], axis=1) / (beta * C.C_CM_PER_NS)
        last[h] = entry
        path = s_out - s_in
        dE, stopped, s_stop = energy_loss(rng, T[h], path, mass)
        deps.add(ev[h], tracker.cell(lay, i, j), dE, clock[h], kind)
        T[h] -= dE
        st = np.flatnonzero(stopped)
        if st.size:
            stop = entry[st] + d[h[st]] * s_stop[st, None]
            t_stop = clock[h[st]] + s_stop[st] / (beta[st] * C.C_CM_PER_NS)
            record_stop(h[st], lay[st], i[st], j[st], stop, t_stop)
        alive[h[stopped]] = False
    return {"stopped": stop_layer >= 0, "layer": stop_layer, "i": stop_i, "j": stop_j, "pos": stop_pos, "time": stop_t}


def emit_xrays(rng, tracker, deps, ev, pos, layer, i, j, t0, lines):
    """Exotic-atom X-rays from stopped antiparticles: emission with the line yields, absorption
    in the own detector or in the detectors they cross (full-energy deposit)."""
    n_emitted = 0
    for energy, yield_ in lines:
        emit = np.flatnonzero(rng.uniform(size=len(ev)) < yield_)
        n_emitted += emit.size
        if emit.size == 0:
            continue
        d = isotropic(rng, emit.size)
        p0 = pos[emit]
        s0 = tracker.exit_distance(p0, d, layer[emit], i[emit], j[emit])
        own = rng.uniform(size=emit.size) < xray_interaction_probability(energy, s0)
        deps.add(
            ev[emit[own]],
            tracker.cell(layer[emit[own]], i[emit[own]], j[emit[own]]),
            np.full(own.sum(), energy),
            t0[emit[own]],
            "xray",
        )
        free = np.flatnonzero(~own)
        e_idx, d, p0, lay0 = emit[free], d[free], p0[free], layer[emit[free]]
        dz = d[:, 2]
        sign = np.where(dz < 0, 1, -1)
        alive = dz != 0
        for step in range(1, tracker.n_layers + 1):
            lay = lay0 + sign * step
            k = np.flatnonzero(alive & (lay >= 0) & (lay < tracker.n_layers))
            if k.size == 0:
                break
            s = (tracker.layer_mid(lay[k]) - p0[k, 2]) / dz[k]
            p = p0[k] + s[:, None] * d[k]
            out = (np.abs(p[:, 0]) > tracker.half_width) | (np.abs(p[:, 1]) > tracker.half_width)
            alive[k[out]] = False
            ii, jj, _ = tracker.detector_at(p[:, 0], p[:, 1])
            s_in, s_out = tracker.segment(p0[k], d[k], lay[k], ii, jj)
            path = np.maximum(s_out - s_in, 0.0)
            absorbed = ~out & (path > 0) & (rng.uniform(size=k.size) < xray_interaction_probability(energy, path))
            a = k[absorbed]
            deps.add(
                ev[e_idx[a]],
                tracker.cell(lay[a], ii[absorbed], jj[absorbed]),
                np.full(a.size, energy),
                t0[e_idx[a]] + s[absorbed] / C.C_CM_PER_NS,
                "xray",
            )
            alive[a] = False
    return n_emitted


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prongs:
    """Mean multiplicities of the annihilation products (Poisson-distributed)."""

    charged_pions: float
    protons: float

    @classmethod
    def default(cls, species):
        return cls(**C.PRONGS[species])


def _primaries(rng, n, mass, lo, hi, incidence, tracker):
    beta = rng.uniform(lo, hi, n)
    x0 = rng.uniform(-tracker.half_width, tracker.half_width, n)
    y0 = rng.uniform(-tracker.half_width, tracker.half_width, n)
    if incidence == "fixed":
        theta = np.zeros(n)
        phi = np.zeros(n)
    else:
        theta = np.arccos(np.sqrt(rng.uniform(size=n)))  # isotropic flux through a plane
        phi = rng.uniform(0, 2 * np.pi, n)
    d = np.stack([np.sin(theta) * np.cos(phi), np.sin(theta) * np.sin(phi), -np.cos(theta)], axis=1)
    pos = np.stack([x0, y0, np.full(n, 1e-6)], axis=1)  # just above layer 0
    return beta, theta, phi, pos, d


def simulate(
    species,
    n_events,
    *,
    incidence="fixed",
    beta_range=(0.2, 0.5),
    seed=0,
    tracker: Tracker | None = None,
    noise=C.NOISE_MEV,
    threshold=C.THRESHOLD_MEV,
    prongs: Prongs | None = None,
    xrays=True,
    batch_size=20000,
    progress=False,
):
    """Generate ``n_events`` accepted (stopping) events of one species; returns a dict of arrays.

    Keys: per hit ``hit_event, hit_cell, hit_edep`` (MeV, after noise and threshold),
    ``hit_time`` (ns); per true deposit ``dep_event, dep_cell, dep_edep, dep_kind``; per event
    ``beta, theta, phi, entry_x, entry_y, stop_layer, stop_i, stop_j, stop_x, stop_y, stop_z,
    stop_time, n_pions, n_protons``; ``n_xrays_emitted``; and ``n_generated`` (primaries thrown to get
    ``n_events`` that stop in silicon).
    """
    lo, hi = _check(species, n_events, incidence, beta_range, noise, threshold)
    tracker = tracker or Tracker()
    prongs = prongs or Prongs.default(species)
    if prongs.charged_pions < 0 or prongs.protons < 0:
        raise ValueError(f"prong multiplicities must be non-negative, got {prongs}")
    mass, _ = SPECIES[species]
    rng = np.random.default_rng(seed)
    deps = _Deposits()
    truth = {
        k: []
        for k in (
            "beta",
            "theta",
            "phi",
            "entry_x",
            "entry_y",
            "stop_layer",
            "stop_i",
            "stop_j",
            "stop_x",
            "stop_y",
            "stop_z",
            "stop_time",
            "n_pions",
            "n_protons",
        )
    }
    n_done = n_generated = n_xrays = 0
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=n_events, desc=f"{species} ({incidence})", unit="ev")
    while n_done < n_events:
        need = n_events - n_done
        guess = need / max(n_done / n_generated, 0.05) if n_generated else 4 * need
        B = int(min(batch_size, max(1000, 1.2 * guess)))
        beta, theta, phi, pos, d = _primaries(rng, B, mass, lo, hi, incidence, tracker)
        n_generated += B
        T = kinetic_from_beta(beta, mass)
        batch = _Deposits()
        st = transport(rng, tracker, batch, np.arange(B), pos, d, T, mass, "primary", np.zeros(B), -1)
        keep = np.flatnonzero(st["stopped"])[:need]
        if keep.size < np.count_nonzero(st["stopped"]):
            n_generated -= B - (keep[-1] + 1)  # primaries after the last one needed were not thrown
        remap = np.full(B, -1)
        remap[keep] = np.arange(keep.size) + n_done
        # primary deposits of accepted events only
        ev, cell, e, t, kind = batch.arrays()
        sel = remap[ev] >= 0
        deps.add(remap[ev[sel]], cell[sel], e[sel], t[sel], "primary")
        gev = remap[keep]
        sp = st["pos"][keep]
        sl, si, sj, stime = st["layer"][keep], st["i"][keep], st["j"][keep], st["time"][keep]
        if xrays:
            n_xrays += emit_xrays(rng, tracker, deps, gev, sp, sl, si, sj, stime, C.XRAYS[species])
        n_pi = rng.poisson(prongs.charged_pions, keep.size)
        n_p = rng.poisson(prongs.protons, keep.size)
        for count, kind_name, m, sampler in (
            (
                n_pi,
                "pion",
                C.M_PION,
                lambda k: np.minimum(rng.gamma(2.0, C.PION_MEAN_KINETIC / 2, k), C.PION_MAX_KINETIC),
            ),
            (n_p, "proton", C.M_PROTON, lambda k: rng.exponential(C.PROTON_MEAN_KINETIC, k)),
        ):
            owner = np.repeat(np.arange(keep.size), count)
            if owner.size == 0:
                continue
            transport(
                rng,
                tracker,
                deps,
                gev[owner],
                sp[owner],
                isotropic(rng, owner.size),
                sampler(owner.size),
                m,
                kind_name,
                stime[owner],
                sl[owner],
                start_ij=(si[owner], sj[owner]),
            )
        for key, val in (
            ("beta", beta[keep]),
            ("theta", theta[keep]),
            ("phi", phi[keep]),
            ("entry_x", pos[keep, 0]),
            ("entry_y", pos[keep, 1]),
            ("stop_layer", sl),
            ("stop_i", si),
            ("stop_j", sj),
            ("stop_x", sp[:, 0]),
            ("stop_y", sp[:, 1]),
            ("stop_z", sp[:, 2]),
            ("stop_time", stime),
            ("n_pions", n_pi),
            ("n_protons", n_p),
        ):
            truth[key].append(val)
        n_done += keep.size
        if bar is not None:
            bar.update(keep.size)
    if bar is not None:
        bar.close()

    dep_event, dep_cell, dep_edep, dep_time, dep_kind = deps.arrays()
    out = {k: np.concatenate(v) for k, v in truth.items()}
    # detector response: sum per cell, earliest time, noise, threshold
    key = dep_event * tracker.n_cells + dep_cell
    uniq, inv = np.unique(key, return_inverse=True)
    e_true = np.bincount(inv, weights=dep_edep, minlength=uniq.size)
    t_first = np.full(uniq.size, np.inf)
    np.minimum.at(t_first, inv, dep_time)
    e_meas = e_true + rng.normal(0, noise, uniq.size) if noise > 0 else e_true
    seen = e_meas >= max(threshold, 1e-12)
    out.update(
        hit_event=(uniq[seen] // tracker.n_cells).astype(np.int32),
        hit_cell=(uniq[seen] % tracker.n_cells).astype(np.int16),
        hit_edep=e_meas[seen].astype(np.float32),
        hit_time=t_first[seen].astype(np.float32),
        dep_event=dep_event.astype(np.int32),
        dep_cell=dep_cell.astype(np.int16),
        dep_edep=dep_edep.astype(np.float64),
        dep_kind=dep_kind,
        n_generated=np.array(n_generated),
        n_xrays_emitted=np.array(n_xrays),
    )
    return out


def to_grid(events: dict, what: str = "edep", tracker: Tracker | None = None) -> np.ndarray:
    """Dense (n_events, layers, x, y) array of hit energies (``"edep"``, MeV) or first-hit times
    (``"time"``, ns; 0 where no hit)."""
    tracker = tracker or Tracker()
    if what not in ("edep", "time"):
        raise ValueError(f"what must be 'edep' or 'time', got {what!r}")
    n = len(events["beta"])
    grid = np.zeros(n * tracker.n_cells, np.float32)
    flat = events["hit_event"].astype(np.int64) * tracker.n_cells + events["hit_cell"]
    grid[flat] = events[f"hit_{what}"]
    return grid.reshape(n, tracker.n_layers, tracker.n_xy, tracker.n_xy)

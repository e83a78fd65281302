"""Vectorised Monte Carlo of antiproton and antideuteron events in the GAPS-like tracker.

What happens to one event, in order:

1. An antiproton or antideuteron enters the top of the tracker with a kinetic energy drawn from
   the generator's :class:`Spectrum` (uniform in β, uniform in kinetic energy, or mono-energetic,
   per nucleon or in total), at a uniform point of the top plane, either vertically ("fixed", 0°)
   or from an isotropic flux through the plane ("random": cos θ = √U, φ uniform).
2. It flies in a straight line (multiple scattering, ≈ 17 mrad per layer, is neglected against
   the 13 cm pitch) and loses energy in every detector it crosses, over its exact chord through
   the disk (faces and rim): Bethe–Bloch mean from the
   range table, Bohr (Gaussian) straggling. Between detectors there is vacuum.
3. If its residual range ends inside a detector it stops there; events whose primary leaves the
   tracker are rejected (the accepted fraction is reported).
4. At rest it forms an exotic atom: three X-ray lines with their yields, emitted isotropically.
   Each photon is followed through the silicon with XCOM's partial cross sections:
   photoabsorption deposits the rest of its energy, Compton scattering deposits the
   Klein–Nishina electron's energy and the photon travels on (or escapes), coherent scattering
   deposits nothing.
5. It annihilates (:func:`annihilate`): the energy released (2 m_p c² per antinucleon, less the
   binding) is shared, in one joint draw, among charged and neutral pions and the nucleus; the
   nucleus emits protons (each costing the separation energy), deposits part of its energy
   locally (α particles, the recoil) and loses the rest to neutrons. Charged pions and protons
   are tracked in straight lines through the layers with Landau (pions) or Bohr (protons)
   fluctuations until they stop or leave. Neutral pions and neutrons deposit nothing here.
6. Each detector sums its deposits; Gaussian noise is added and a threshold applied. Each hit
   keeps the time of its first deposit (ns after the primary entered).

Events are stored sparsely (hits and deposits as lists); :func:`to_grid` makes the (layer, x, y)
arrays that the CNN reads.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from helpers.gaps import constants as C
from helpers.gaps.geometry import Tracker
from helpers.gaps.physics import (
    PHOTO,
    beta_from_kinetic,
    bohr_sigma,
    kinetic_from_beta,
    landau_mpv,
    landau_xi,
    range_table,
    rotate,
    sample_landau_loss,
    t_max,
    xray_interact,
    xray_mu,
)

SPECIES = {"antiproton": (C.M_PROTON, 0), "antideuteron": (C.M_DEUTERON, 1)}
NUCLEONS = {"antiproton": 1, "antideuteron": 2}
INCIDENCES = ("fixed", "random")
KINDS = {"primary": 0, "pion": 1, "proton": 2, "xray": 3, "nucleus": 4}
GENERATOR_VERSION = 3  # bump when a change alters the events generated for a given seed


# ---------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------


def _check(species, n_events, incidence, noise, threshold):
    if species not in SPECIES:
        raise ValueError(f"unknown species {species!r}; choose one of {', '.join(SPECIES)}")
    if isinstance(n_events, bool) or not isinstance(n_events, (int, np.integer)) or n_events < 1:
        raise ValueError(f"n_events must be a positive integer, got {n_events!r}")
    if incidence not in INCIDENCES:
        raise ValueError(f"unknown incidence {incidence!r}; choose 'fixed' (0°) or 'random' (isotropic)")
    if not (np.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise must be a non-negative energy in MeV, got {noise!r}")
    if not (np.isfinite(threshold) and threshold >= 0):
        raise ValueError(f"threshold must be a non-negative energy in MeV, got {threshold!r}")


# ---------------------------------------------------------------------------------------------
# Primary spectrum
# ---------------------------------------------------------------------------------------------

SPECTRUM_KINDS = ("uniform_beta", "uniform_kinetic", "mono")


@dataclass(frozen=True)
class Spectrum:
    """The primaries' speed or energy at the top of the tracker: a setting of the generator.

    ``kind``: ``"uniform_beta"`` (β uniform in [lo, hi]), ``"uniform_kinetic"`` (kinetic energy
    uniform in [lo, hi] MeV) or ``"mono"`` (kinetic energy lo = hi MeV). For the energy kinds,
    ``per_nucleon`` says whether lo, hi are per nucleon (equal speeds for both species) or the
    particle's total kinetic energy.
    """

    kind: str = "uniform_beta"
    lo: float = 0.2
    hi: float = 0.5
    per_nucleon: bool = True

    def __post_init__(self):
        if self.kind not in SPECTRUM_KINDS:
            raise ValueError(f"unknown spectrum kind {self.kind!r}; choose one of {', '.join(SPECTRUM_KINDS)}")
        try:
            lo, hi = float(self.lo), float(self.hi)
        except (TypeError, ValueError):
            raise ValueError(f"spectrum limits must be numbers, got {self.lo!r}, {self.hi!r}") from None
        if self.kind == "uniform_beta" and not (0 < lo < hi < 1):
            raise ValueError(f"beta_range must satisfy 0 < lo < hi < 1, got ({lo}, {hi})")
        if self.kind == "uniform_kinetic" and not (0 < lo < hi):
            raise ValueError(f"kinetic energies must satisfy 0 < lo < hi, got ({lo}, {hi})")
        if self.kind == "mono" and not (0 < lo == hi):
            raise ValueError(f"a mono-energetic spectrum needs lo == hi > 0, got ({lo}, {hi})")

    @classmethod
    def uniform_beta(cls, lo=0.2, hi=0.5):
        return cls("uniform_beta", float(lo), float(hi), True)

    @classmethod
    def uniform_kinetic(cls, lo, hi, per_nucleon=True):
        return cls("uniform_kinetic", float(lo), float(hi), bool(per_nucleon))

    @classmethod
    def mono(cls, kinetic, per_nucleon=True):
        return cls("mono", float(kinetic), float(kinetic), bool(per_nucleon))

    def as_dict(self) -> dict:
        return asdict(self)

    def label(self) -> str:
        unit = "MeV/n" if self.per_nucleon else "MeV"
        if self.kind == "uniform_beta":
            return f"β uniform in [{self.lo:g}, {self.hi:g}]"
        if self.kind == "uniform_kinetic":
            return f"T uniform in [{self.lo:g}, {self.hi:g}] {unit}"
        return f"T = {self.lo:g} {unit}"

    def beta(self, rng, n, species):
        """Speeds of ``n`` primaries of ``species``."""
        mass = SPECIES[species][0]
        if self.kind == "uniform_beta":
            return rng.uniform(self.lo, self.hi, n)
        scale = NUCLEONS[species] if self.per_nucleon else 1
        T = rng.uniform(self.lo, self.hi, n) * scale if self.kind == "uniform_kinetic" else np.full(n, self.lo * scale)
        return beta_from_kinetic(T, mass)


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
                    np.array(e, float),  # copies: callers go on updating their clocks in place
                    np.array(t, float),
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
    """Exotic-atom X-rays from stopped antiparticles: emission with the line yields, isotropic;
    each photon is then followed by :func:`photon_walk`. Returns the number of photons emitted."""
    parts = []
    for energy, yield_ in lines:
        emit = np.flatnonzero(rng.uniform(size=len(ev)) < yield_)
        parts.append((emit, np.full(emit.size, energy)))
    emit = np.concatenate([p[0] for p in parts])
    if emit.size:
        E = np.concatenate([p[1] for p in parts])
        photon_walk(
            rng,
            tracker,
            deps,
            ev[emit],
            pos[emit],
            isotropic(rng, emit.size),
            E,
            t0[emit],
            layer[emit],
            i[emit],
            j[emit],
        )
    return int(emit.size)


#: photons below this energy (MeV) are absorbed where they are (μ⁻¹ < 0.2 mm in Si at 10 keV)
XRAY_CUTOFF_MEV = 0.010
_MAX_PHOTON_STEPS = 40


def _free_flight(rng, tracker, ev, pos, d, E, t, layer0):
    """Photons leaving a detector of layer ``layer0`` fly through the other layers; returns, for
    those that interact in a detector, (index, interaction point, time, layer, i, j)."""
    mu = xray_mu(E)
    dz = d[:, 2]
    sign = np.where(dz < 0, 1, -1)
    alive = dz != 0
    hits = []
    for step in range(1, tracker.n_layers + 1):
        lay = layer0 + sign * step
        k = np.flatnonzero(alive & (lay >= 0) & (lay < tracker.n_layers))
        if k.size == 0:
            break
        s = (tracker.layer_mid(lay[k]) - pos[k, 2]) / dz[k]
        p = pos[k] + s[:, None] * d[k]
        out = (np.abs(p[:, 0]) > tracker.half_width) | (np.abs(p[:, 1]) > tracker.half_width)
        alive[k[out]] = False
        ii, jj, _ = tracker.detector_at(p[:, 0], p[:, 1])
        s_in, s_out = tracker.segment(pos[k], d[k], lay[k], ii, jj)
        path = np.where(out, 0.0, np.maximum(s_out - s_in, 0.0))
        s_int = rng.exponential(size=k.size) / mu[k]
        inter = s_int < path
        a = k[inter]
        if a.size:
            s_hit = s_in[inter] + s_int[inter]
            hits.append((a, pos[a] + s_hit[:, None] * d[a], t[a] + s_hit / C.C_CM_PER_NS, lay[a], ii[inter], jj[inter]))
            alive[a] = False
    if not hits:
        e = np.zeros(0, np.int64)
        return e, np.zeros((0, 3)), np.zeros(0), e, e, e
    return tuple(np.concatenate(x) for x in zip(*hits))


def photon_walk(rng, tracker, deps, ev, pos, d, E, t, layer, i, j):
    """Follow photons that start inside detector (``layer``, ``i``, ``j``) at ``pos`` until they
    are absorbed or leave the tracker. At each interaction (XCOM partial cross sections, see
    :func:`helpers.gaps.physics.xray_interact`) the energy given to the silicon is deposited in
    that detector; a Compton-scattered photon goes on in its new direction with its new energy."""
    ev, pos, d, E, t = (np.asarray(a) for a in (ev, pos, d, E, t))
    layer, i, j = (np.asarray(a, np.int64) for a in (layer, i, j))
    for _ in range(_MAX_PHOTON_STEPS):
        if E.size == 0:
            break
        low = E < XRAY_CUTOFF_MEV
        if low.any():
            deps.add(ev[low], tracker.cell(layer[low], i[low], j[low]), E[low], t[low], "xray")
            ev, pos, d, E, t, layer, i, j = (a[~low] for a in (ev, pos, d, E, t, layer, i, j))
            if E.size == 0:
                break
        # inside the current detector: interact before leaving it?
        s_exit = tracker.exit_distance(pos, d, layer, i, j)
        s_int = rng.exponential(size=E.size) / xray_mu(E)
        inside = s_int < s_exit
        # those that leave fly on to the next detector on their line (or out of the tracker)
        o = np.flatnonzero(~inside)
        k, p_o, t_o, l_o, i_o, j_o = _free_flight(rng, tracker, ev[o], pos[o], d[o], E[o], t[o], layer[o])
        k = o[k]
        n_in = np.flatnonzero(inside)
        idx = np.concatenate([n_in, k])
        new_pos = np.concatenate([pos[n_in] + s_int[n_in, None] * d[n_in], p_o])
        new_t = np.concatenate([t[n_in] + s_int[n_in] / C.C_CM_PER_NS, t_o])
        new_l = np.concatenate([layer[n_in], l_o])
        new_i = np.concatenate([i[n_in], i_o])
        new_j = np.concatenate([j[n_in], j_o])
        process, dep, E_out, cos = xray_interact(rng, E[idx])
        given = dep > 0
        deps.add(
            ev[idx][given], tracker.cell(new_l[given], new_i[given], new_j[given]), dep[given], new_t[given], "xray"
        )
        go_on = process != PHOTO
        new_d = rotate(d[idx], cos, rng.uniform(0, 2 * np.pi, idx.size))
        ev, pos, d, E, t = ev[idx][go_on], new_pos[go_on], new_d[go_on], E_out[go_on], new_t[go_on]
        layer, i, j = new_l[go_on], new_i[go_on], new_j[go_on]


# ---------------------------------------------------------------------------------------------
# Annihilation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FinalState:
    """Parameters of the annihilation final state (see ``constants.FINAL_STATE``)."""

    antinucleons: int
    nuclear_share: float
    protons: float
    local: float

    @classmethod
    def default(cls, species):
        return cls(**C.FINAL_STATE[species])

    def __post_init__(self):
        if self.antinucleons not in (1, 2):
            raise ValueError(f"antinucleons must be 1 or 2, got {self.antinucleons!r}")
        if not (0 < self.nuclear_share < 1 and self.protons >= 0 and self.local >= 0):
            raise ValueError(f"nuclear_share must lie in (0, 1), protons and local be non-negative, got {self}")


def released_energy(antinucleons: int) -> float:
    """Energy (MeV) released when ``antinucleons`` annihilate at rest on bound nucleons of Si."""
    return antinucleons * (2 * C.M_PROTON - C.SI_BINDING_PER_NUCLEON)


def _dirichlet_groups(rng, owner, alpha, n_groups, extra_alpha):
    """Per group g: weights of its members (Dirichlet with ``alpha`` per member) and of
    ``extra_alpha`` additional components (columns), all summing to 1 within the group."""
    g_mem = rng.gamma(alpha, size=owner.size) if owner.size else np.zeros(0)
    g_extra = np.stack(
        [rng.gamma(a, size=n_groups) if a > 0 else np.zeros(n_groups) for a in extra_alpha] + [np.zeros(n_groups)],
        axis=1,
    )
    total = np.bincount(owner, weights=g_mem, minlength=n_groups) + g_extra.sum(axis=1)
    total = np.where(total > 0, total, 1.0)
    return g_mem / total[owner], g_extra / total[:, None]


def annihilate(rng, n, final_state: FinalState) -> dict:
    """Final states of ``n`` annihilations at rest, drawn jointly under the energy released.

    Pion multiplicities: Poisson with means ``PION_MEAN_CHARGED`` and ``PION_MEAN_NEUTRAL`` per
    antinucleon, at least two pions, at most what the released energy can make. The kinetic
    energy left after the pion masses, K = E_released − Σ m_π, is split: the nucleus takes a Beta-
    distributed fraction of mean ``nuclear_share``, the pions share the rest by a flat Dirichlet
    draw (weight 1 each, a stand-in for phase space). The nucleus emits a Poisson number of
    protons (mean ``protons``, as many as its energy can free at ``SI_PROTON_SEPARATION`` each);
    what remains is split (Dirichlet) among the protons (weight 1 each), local deposits (weight
    ``local``) and neutrons (weight 1, unseen).

    Returns per event ``E_released``, ``n_charged``, ``n_neutral``, ``n_protons``,
    ``E_neutral`` (total energy of the π⁰), ``E_nucleus``, ``E_local``, ``E_unseen`` (neutrons and
    separation energies), and per charged product ``owner``, ``kind`` ("pion" 1 / "proton" 2),
    ``mass`` and ``T``. Energy is conserved event by event:
    Σ(m + T)_π± + E_neutral + E_nucleus = E_released and
    Σ T_p + E_local + E_unseen = E_nucleus.
    """
    fs = final_state
    E_rel = released_energy(fs.antinucleons)
    n_ch = rng.poisson(C.PION_MEAN_CHARGED * fs.antinucleons, n)
    n_0 = rng.poisson(C.PION_MEAN_NEUTRAL * fs.antinucleons, n)
    n_0 = np.where(n_ch + n_0 < 2, 2 - n_ch, n_0)  # momentum: at least two pions
    max_pions = int(E_rel // C.M_PION) - 1
    over = np.maximum(n_ch + n_0 - max_pions, 0)
    n_0 = n_0 - np.minimum(over, n_0)
    n_ch = np.minimum(n_ch, max_pions - n_0)
    K = E_rel - n_ch * C.M_PION - n_0 * C.M_PION0
    n_pi = n_ch + n_0
    owner_pi = np.repeat(np.arange(n), n_pi)
    # the nucleus's share of K: Beta with mean ``nuclear_share`` (concentration NUCLEAR_CONCENTRATION);
    # the pions share the rest, Dirichlet with weight 1 each (flat on the simplex)
    c = C.NUCLEAR_CONCENTRATION
    E_nuc = K * rng.beta(fs.nuclear_share * c, (1 - fs.nuclear_share) * c, n)
    w_pi, _ = _dirichlet_groups(rng, owner_pi, 1.0, n, [])
    T_pi = (K - E_nuc)[owner_pi] * w_pi
    # which pions are charged: the first n_ch of each event's list
    rank = np.arange(owner_pi.size) - np.repeat(np.cumsum(n_pi) - n_pi, n_pi)
    charged = rank < n_ch[owner_pi]
    E_neutral = np.bincount(owner_pi[~charged], weights=T_pi[~charged] + C.M_PION0, minlength=n)
    # the nucleus: protons, local deposits, neutrons
    n_p = np.minimum(rng.poisson(fs.protons, n), np.floor(E_nuc / C.SI_PROTON_SEPARATION).astype(int))
    R = E_nuc - n_p * C.SI_PROTON_SEPARATION
    owner_p = np.repeat(np.arange(n), n_p)
    w_p, w_rest = _dirichlet_groups(rng, owner_p, 1.0, n, [fs.local, 1.0])
    T_p = R[owner_p] * w_p
    E_local = R * w_rest[:, 0]
    E_unseen = R * w_rest[:, 1] + n_p * C.SI_PROTON_SEPARATION
    owner = np.concatenate([owner_pi[charged], owner_p])
    order = np.argsort(owner, kind="stable")
    kind = np.concatenate([np.full(charged.sum(), KINDS["pion"]), np.full(owner_p.size, KINDS["proton"])])
    mass = np.where(kind == KINDS["pion"], C.M_PION, C.M_PROTON)
    T = np.concatenate([T_pi[charged], T_p])
    return {
        "E_released": np.full(n, E_rel),
        "n_charged": n_ch,
        "n_neutral": n_0,
        "n_protons": n_p,
        "E_neutral": E_neutral,
        "E_nucleus": E_nuc,
        "E_local": E_local,
        "E_unseen": E_unseen,
        "owner": owner[order],
        "kind": kind[order].astype(np.int8),
        "mass": mass[order],
        "T": T[order],
    }


# ---------------------------------------------------------------------------------------------
# Events
# ---------------------------------------------------------------------------------------------


def _primaries(rng, n, species, spectrum, incidence, tracker):
    beta = spectrum.beta(rng, n, species)
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
    spectrum: Spectrum | None = None,
    beta_range=None,
    seed=0,
    tracker: Tracker | None = None,
    noise=C.NOISE_MEV,
    threshold=C.THRESHOLD_MEV,
    final_state: FinalState | None = None,
    xrays=True,
    batch_size=20000,
    progress=False,
):
    """Generate ``n_events`` accepted (stopping) events of one species; returns a dict of arrays.

    ``spectrum`` (a :class:`Spectrum`) sets the primaries' energies; ``beta_range=(lo, hi)`` is
    short for ``Spectrum.uniform_beta(lo, hi)``; neither: β uniform in [0.2, 0.5].

    Keys: per hit ``hit_event, hit_cell, hit_edep`` (MeV, after noise and threshold),
    ``hit_time`` (ns); per true deposit ``dep_event, dep_cell, dep_edep, dep_time, dep_kind``; per
    event ``beta, theta, phi, entry_x, entry_y, stop_layer, stop_i, stop_j, stop_x, stop_y, stop_z,
    stop_time, n_pions`` (charged), ``n_neutral_pions, n_protons, e_released, e_nucleus,
    e_local``; ``n_xrays_emitted``; and ``n_generated`` (primaries thrown to get ``n_events`` that
    stop in silicon).
    """
    _check(species, n_events, incidence, noise, threshold)
    if spectrum is None:
        if beta_range is None:
            beta_range = (0.2, 0.5)
        try:
            lo, hi = (float(b) for b in beta_range)
        except (TypeError, ValueError):
            raise ValueError(f"beta_range must be two numbers (lo, hi), got {beta_range!r}") from None
        spectrum = Spectrum.uniform_beta(lo, hi)
    elif not isinstance(spectrum, Spectrum):
        raise ValueError(f"spectrum must be a Spectrum, got {spectrum!r}")
    tracker = tracker or Tracker()
    final_state = final_state or FinalState.default(species)
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
            "n_neutral_pions",
            "n_protons",
            "e_released",
            "e_nucleus",
            "e_local",
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
        beta, theta, phi, pos, d = _primaries(rng, B, species, spectrum, incidence, tracker)
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
        fs = annihilate(rng, keep.size, final_state)
        local = fs["E_local"] > 0
        deps.add(
            gev[local], tracker.cell(sl[local], si[local], sj[local]), fs["E_local"][local], stime[local], "nucleus"
        )
        for kind_name in ("pion", "proton"):
            sel = fs["kind"] == KINDS[kind_name]
            owner = fs["owner"][sel]
            if owner.size == 0:
                continue
            transport(
                rng,
                tracker,
                deps,
                gev[owner],
                sp[owner],
                isotropic(rng, owner.size),
                fs["T"][sel],
                fs["mass"][sel][0],
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
            ("n_pions", fs["n_charged"]),
            ("n_neutral_pions", fs["n_neutral"]),
            ("n_protons", fs["n_protons"]),
            ("e_released", fs["E_released"]),
            ("e_nucleus", fs["E_nucleus"]),
            ("e_local", fs["E_local"]),
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
        dep_time=dep_time.astype(np.float32),
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

"""The 24 observables of the ATLAS Z → μμ + jets measurement (arXiv:2405.20041), with the
release's column names, from muons and tracks — the same code at particle and detector level.

Track jets: anti-kT, R = 0.4 (FastJet) on charged particles with pT > 0.5 GeV, |η| < 2.5, the
selected muons excluded, every track given the pion mass. A jet "exists" with pT > 10 GeV and
|η| < 2.1; absent jets have NaN in all their columns. N-subjettiness τ_N (Thaler & Van Tilburg,
JHEP 03 (2011) 015): τ_N = Σ_k pT,k · min_j ΔR(k, a_j) over the jet's tracks, β = 1, unnormalised (GeV),
axes a_j = the jet's tracks clustered exclusively into N subjets with the kT algorithm (FastJet's
``KT_Axes``; ΔR in rapidity and azimuth). The release's exact τ convention is not stated in the paper (assumption).
"""

from __future__ import annotations

import numpy as np

from helpers.zjets import constants as C

MUON_MASS_GEV = 0.1056584  # PDG
LEPTON_COLUMNS = ["pT_l1", "pT_l2", "eta_l1", "eta_l2", "phi_l1", "phi_l2", "pT_ll", "y_ll"]
JET_QUANTITIES = ["pT", "y", "phi", "m", "tau1", "tau2", "tau3", "Ntracks"]
JET_COLUMNS = [f"{q}_trackj{j}" for j in (1, 2) for q in JET_QUANTITIES]
COLUMNS = LEPTON_COLUMNS + JET_COLUMNS  # the 24 observables, in the release's order
UNITS = {"pT": "GeV", "m": "GeV", "tau1": "GeV", "tau2": "GeV", "tau3": "GeV"}


def label(column: str) -> str:
    """Axis label with units, e.g. 'm_trackj1 [GeV]'."""
    unit = UNITS.get(column.split("_")[0])
    return f"{column} [{unit}]" if unit else column


def four_vectors(pt, eta, phi, mass):
    pt, eta, phi = (np.asarray(a, float) for a in (pt, eta, phi))
    px, py, pz = pt * np.cos(phi), pt * np.sin(phi), pt * np.sinh(eta)
    e = np.sqrt(px**2 + py**2 + pz**2 + mass**2)
    return px, py, pz, e


def rapidity(pz, e):
    with np.errstate(divide="ignore", invalid="ignore"):
        return 0.5 * np.log((e + pz) / (e - pz))


def dilepton(muons: np.ndarray) -> dict[str, np.ndarray]:
    """Lepton columns, ``m_ll`` and the fiducial muon selection from (n, 2, 4) muons
    (pT, η, φ, charge; NaN rows = missing). Leptons are ordered by pT."""
    muons = np.asarray(muons, float)
    if muons.ndim != 3 or muons.shape[1:] != (2, 4):
        raise ValueError(f"muons must have shape (events, 2, 4) = (pT, eta, phi, charge), got {muons.shape}")
    swap = np.nan_to_num(muons[:, 1, 0], nan=-1) > np.nan_to_num(muons[:, 0, 0], nan=-1)
    mu = muons.copy()
    mu[swap] = muons[swap][:, ::-1]
    l1, l2 = mu[:, 0], mu[:, 1]
    p1 = four_vectors(l1[:, 0], l1[:, 1], l1[:, 2], MUON_MASS_GEV)
    p2 = four_vectors(l2[:, 0], l2[:, 1], l2[:, 2], MUON_MASS_GEV)
    px, py, pz, e = (a + b for a, b in zip(p1, p2))
    with np.errstate(invalid="ignore"):
        m_ll = np.sqrt(np.maximum(e**2 - px**2 - py**2 - pz**2, 0))
        pt_ll = np.hypot(px, py)
        ok = (
            (l1[:, 0] > C.MUON_PT_MIN_GEV)
            & (l2[:, 0] > C.MUON_PT_MIN_GEV)
            & (np.abs(l1[:, 1]) < C.MUON_ETA_MAX)
            & (np.abs(l2[:, 1]) < C.MUON_ETA_MAX)
            & (l1[:, 3] * l2[:, 3] < 0)
            & (m_ll > C.MLL_WINDOW_GEV[0])
            & (m_ll < C.MLL_WINDOW_GEV[1])
            & (pt_ll > C.PTLL_MIN_GEV)
        )
    return {
        "pT_l1": l1[:, 0],
        "pT_l2": l2[:, 0],
        "eta_l1": l1[:, 1],
        "eta_l2": l2[:, 1],
        "phi_l1": l1[:, 2],
        "phi_l2": l2[:, 2],
        "pT_ll": pt_ll,
        "y_ll": rapidity(pz, e),
        "m_ll": m_ll,
        "pass": ok,
    }


def _awkward_tracks(counts, pt, eta, phi):
    import awkward as ak

    px, py, pz, e = four_vectors(pt, eta, phi, C.PION_MASS_GEV)
    flat = ak.zip({"px": px, "py": py, "pz": pz, "E": e})
    return ak.unflatten(flat, np.asarray(counts, np.int64))


def _quiet_fastjet() -> None:
    """FastJet prints a 12-line banner (to the process's stdout, which a Jupyter kernel shows in
    the notebook) the first time it clusters; turn it off. FastJet and its authors are cited
    where the book uses it (chapter 5, {cite}`cacciari2012fastjet`)."""
    from fastjet import _swig

    _swig.ClusterSequence.set_fastjet_banner_stream(None)


def nsubjettiness(constituents, n_max: int = 3):
    """τ_1 … τ_{n_max} (β = 1, unnormalised, exclusive-kT axes) for an awkward array with one row of
    constituents (px, py, pz, E) per jet. Jets with at most N tracks have τ_N = 0."""
    import awkward as ak
    import fastjet

    if len(constituents) == 0:
        return np.zeros((0, n_max))
    _quiet_fastjet()
    cs = fastjet.ClusterSequence(constituents, fastjet.JetDefinition(fastjet.kt_algorithm, C.JET_R))
    taus = cs.njettiness(
        njets=list(range(1, n_max + 1)),
        beta=1.0,
        R0=C.JET_R,
        measure_definition="UnnormalizedMeasure",
        axes_definition="KT_Axes",
    )
    return ak.to_numpy(taus).astype(float).reshape(len(constituents), n_max)


def track_jets(counts, pt, eta, phi, n_jets: int = 2) -> dict[str, np.ndarray]:
    """Columns of the ``n_jets`` leading track jets from tracks given as flat arrays + per-event
    counts; tracks are cut at pT > 0.5 GeV and |η| < 2.5 here."""
    import awkward as ak
    import fastjet

    counts = np.asarray(counts, np.int64)
    pt, eta, phi = (np.asarray(a, float) for a in (pt, eta, phi))
    if counts.ndim != 1 or counts.sum() != len(pt) or not (len(pt) == len(eta) == len(phi)):
        raise ValueError(
            f"track arrays ({len(pt)}, {len(eta)}, {len(phi)}) do not match the per-event counts (sum {counts.sum()})"
        )
    n = len(counts)
    keep = (pt > C.TRACK_PT_MIN_GEV) & (np.abs(eta) < C.TRACK_ETA_MAX)
    event = np.repeat(np.arange(n), counts)
    counts = np.bincount(event[keep], minlength=n)
    tracks = _awkward_tracks(counts, pt[keep], eta[keep], phi[keep])
    _quiet_fastjet()
    cs = fastjet.ClusterSequence(tracks, fastjet.JetDefinition(fastjet.antikt_algorithm, C.JET_R))
    jets = cs.inclusive_jets(min_pt=C.JET_PT_MIN_GEV)
    cons = cs.constituents(min_pt=C.JET_PT_MIN_GEV)
    jpx, jpy, jpz = jets.px, jets.py, jets.pz
    jpt = np.sqrt(jpx**2 + jpy**2)
    jeta = np.arcsinh(jpz / jpt)
    ok = np.abs(jeta) < C.JET_ETA_MAX
    order = ak.argsort(jpt[ok], ascending=False)
    jets, cons = jets[ok][order][:, :n_jets], cons[ok][order][:, :n_jets]
    njet = ak.to_numpy(ak.num(jets))
    flat_cons = ak.flatten(cons, axis=1)
    taus = nsubjettiness(flat_cons)
    ntr = ak.to_numpy(ak.num(flat_cons))
    fj = ak.flatten(jets)
    fpx, fpy, fpz, fe = (ak.to_numpy(getattr(fj, c)) for c in ("px", "py", "pz", "E"))
    fpt = np.hypot(fpx, fpy)
    vals = {
        "pT": fpt,
        "y": rapidity(fpz, fe),
        "phi": np.arctan2(fpy, fpx),
        "m": np.sqrt(np.maximum(fe**2 - fpx**2 - fpy**2 - fpz**2, 0)),
        "tau1": taus[:, 0],
        "tau2": taus[:, 1],
        "tau3": taus[:, 2],
        "Ntracks": ntr.astype(float),
    }
    ev = np.repeat(np.arange(n), njet)
    rank = np.arange(len(ev)) - np.repeat(np.cumsum(njet) - njet, njet)
    out = {}
    for j in range(n_jets):
        sel = rank == j
        for q, v in vals.items():
            col = np.full(n, np.nan)
            col[ev[sel]] = v[sel]
            out[f"{q}_trackj{j + 1}"] = col
    return out


def event_table(sample: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """All 24 columns, ``m_ll``, ``n_jets`` and ``pass`` (the fiducial selection) for a sample with
    ``muons`` and ``track_counts/pt/eta/phi``. Columns of events failing the selection are kept (the
    detector level needs them for migrations); use ``pass`` to select."""
    lep = dilepton(sample["muons"])
    jets = track_jets(sample["track_counts"], sample["track_pt"], sample["track_eta"], sample["track_phi"])
    table = {**lep, **jets}
    table["n_jets"] = (~np.isnan(jets["pT_trackj1"])).astype(int) + (~np.isnan(jets["pT_trackj2"])).astype(int)
    return table


def derived(table: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Observables built afterwards from the same columns: τ21 and τ32 of the leading jet, the
    dijet mass m_jj and rapidity separation Δy_jj (NaN where a jet is absent or τ1 = 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        tau21 = np.where(table["tau1_trackj1"] > 0, table["tau2_trackj1"] / table["tau1_trackj1"], np.nan)
        tau32 = np.where(table["tau2_trackj1"] > 0, table["tau3_trackj1"] / table["tau2_trackj1"], np.nan)
    p = []
    for j in (1, 2):
        pt, y, phi, m = (np.asarray(table[f"{q}_trackj{j}"], float) for q in ("pT", "y", "phi", "m"))
        mt = np.sqrt(pt**2 + m**2)
        p.append((pt * np.cos(phi), pt * np.sin(phi), mt * np.sinh(y), mt * np.cosh(y)))
    px, py, pz, e = (a + b for a, b in zip(*p))
    m_jj = np.sqrt(np.maximum(e**2 - px**2 - py**2 - pz**2, 0))
    m_jj = np.where(np.isnan(e), np.nan, m_jj)
    return {
        "tau21_trackj1": tau21,
        "tau32_trackj1": tau32,
        "m_jj": m_jj,
        "dy_jj": np.abs(table["y_trackj1"] - table["y_trackj2"]),
    }


def edges(column: str, values, n_bins: int = 12) -> np.ndarray:
    """Bin edges for an observable from a reference sample: equal-population bins between the
    0.5 % and 99.5 % quantiles (φ: uniform in [−π, π]; Ntracks: integers). Values outside are left
    out of histograms."""
    v = np.asarray(values, float)
    v = v[np.isfinite(v)]
    if n_bins < 2:
        raise ValueError(f"n_bins must be >= 2, got {n_bins}")
    if v.size < 10 * n_bins:
        raise ValueError(f"{column}: {v.size} values are too few for {n_bins} bins")
    if column.startswith("phi"):
        return np.linspace(-np.pi, np.pi, n_bins + 1)
    q = np.quantile(v, np.linspace(0.005, 0.995, n_bins + 1))
    if column.startswith("Ntracks"):
        e = np.unique(np.round(q)) - 0.5
        return e if len(e) >= 3 else np.arange(v.min(), v.max() + 2) - 0.5
    e = np.unique(q)
    if len(e) < 3:
        raise ValueError(f"{column}: the values are too concentrated for {n_bins} bins")
    return e

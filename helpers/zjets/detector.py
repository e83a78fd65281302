"""A parametric detector for muons and tracks (constants and sources in ``constants``).

Muons: kept with an efficiency (lower in the |η| < 0.1 gap), pT smeared by a Gaussian with
σ/pT = a(η) ⊕ b·pT. Tracks: kept with an η-dependent efficiency, pT smeared with
σ/pT = 1 % ⊕ 0.05 %·pT, directions exact; a few fake tracks per event. The reconstructed muons and
tracks then go through exactly the same observable code as the particles (``observables``), so
jets are re-clustered and Ntracks, masses and τ_N migrate the way tracking makes them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from helpers.zjets import constants as C


@dataclass(frozen=True)
class Detector:
    muon_efficiency: float = C.MUON_EFFICIENCY
    muon_gap_efficiency: float = C.MUON_GAP_EFFICIENCY
    muon_resolution_scale: float = 1.0
    muon_scale: float = 1.0
    track_efficiency_shift: float = 0.0
    track_resolution_scale: float = 1.0
    fake_tracks_per_event: float = C.FAKE_TRACKS_PER_EVENT

    def __post_init__(self):
        for name in ("muon_efficiency", "muon_gap_efficiency"):
            v = getattr(self, name)
            if not 0 <= v <= 1:
                raise ValueError(f"{name} must lie in [0, 1], got {v}")
        if not -0.5 < self.track_efficiency_shift < 0.1:
            raise ValueError(f"track_efficiency_shift must lie in (-0.5, 0.1), got {self.track_efficiency_shift}")
        for name in ("muon_resolution_scale", "muon_scale", "track_resolution_scale"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.fake_tracks_per_event < 0:
            raise ValueError(f"fake_tracks_per_event must be >= 0, got {self.fake_tracks_per_event}")

    def varied(self, name: str) -> Detector:
        """One of the systematic variations in ``constants.DETECTOR_VARIATIONS``."""
        if name not in C.DETECTOR_VARIATIONS:
            raise ValueError(f"unknown detector variation {name!r}: expected one of {sorted(C.DETECTOR_VARIATIONS)}")
        return replace(self, **C.DETECTOR_VARIATIONS[name])

    # --- the pieces, public so that tests and the notebook can look at them ---
    def muon_efficiency_at(self, eta):
        eta = np.abs(np.asarray(eta, float))
        return np.where(eta < C.MUON_GAP_ETA, self.muon_gap_efficiency, self.muon_efficiency)

    def muon_resolution(self, pt, eta):
        """σ(pT)/pT of a muon."""
        a = np.where(np.abs(eta) < C.MUON_BARREL_ETA, C.MUON_RES_A["barrel"], C.MUON_RES_A["endcap"])
        return self.muon_resolution_scale * np.hypot(a, C.MUON_RES_B_PER_GEV * np.asarray(pt, float))

    def track_efficiency(self, eta):
        x = np.abs(np.asarray(eta, float))
        frac = np.clip((x - C.TRACK_EFF_FLAT_ETA) / (C.TRACK_ETA_MAX - C.TRACK_EFF_FLAT_ETA), 0, 1)
        eff = C.TRACK_EFF_CENTRAL + (C.TRACK_EFF_EDGE - C.TRACK_EFF_CENTRAL) * frac
        return np.clip(eff + self.track_efficiency_shift, 0, 1)

    def track_resolution(self, pt):
        """σ(pT)/pT of a track."""
        return self.track_resolution_scale * np.hypot(C.TRACK_RES_A, C.TRACK_RES_B_PER_GEV * np.asarray(pt, float))

    def simulate(self, sample: dict[str, np.ndarray], seed: int) -> dict[str, np.ndarray]:
        """Reconstructed muons and tracks of every event in ``sample`` (same layout)."""
        for key in ("muons", "track_counts", "track_pt", "track_eta", "track_phi"):
            if key not in sample:
                raise KeyError(f"sample lacks {key!r}: expected the output of helpers.zjets.generate")
        rng = np.random.default_rng(seed)
        mu = np.array(sample["muons"], float)
        n = len(mu)
        pt, eta = mu[..., 0], mu[..., 1]
        with np.errstate(invalid="ignore"):
            lost = rng.random(pt.shape) >= self.muon_efficiency_at(eta)
            smeared = pt * self.muon_scale * (1 + self.muon_resolution(pt, eta) * rng.standard_normal(pt.shape))
        mu[..., 0] = smeared
        mu[lost | ~(smeared > 0)] = np.nan

        counts = np.asarray(sample["track_counts"], np.int64)
        tpt = np.asarray(sample["track_pt"], float)
        teta = np.asarray(sample["track_eta"], float)
        tphi = np.asarray(sample["track_phi"], float)
        keep = rng.random(len(tpt)) < self.track_efficiency(teta)
        tpt = tpt * (1 + self.track_resolution(tpt) * rng.standard_normal(len(tpt)))
        keep &= tpt > 0
        event = np.repeat(np.arange(n), counts)
        n_fake = rng.poisson(self.fake_tracks_per_event, n)
        f_event = np.repeat(np.arange(n), n_fake)
        f_pt = C.TRACK_PT_MIN_GEV + rng.exponential(C.FAKE_TRACK_PT_MEAN_GEV, len(f_event))
        f_eta = rng.uniform(-C.TRACK_ETA_MAX, C.TRACK_ETA_MAX, len(f_event))
        f_phi = rng.uniform(-np.pi, np.pi, len(f_event))
        ev = np.concatenate([event[keep], f_event])
        order = np.argsort(ev, kind="stable")
        return {
            "muons": mu,
            "track_counts": np.bincount(ev, minlength=n).astype(np.int32),
            "track_pt": np.concatenate([tpt[keep], f_pt])[order].astype(np.float32),
            "track_eta": np.concatenate([teta[keep], f_eta])[order].astype(np.float32),
            "track_phi": np.concatenate([tphi[keep], f_phi])[order].astype(np.float32),
        }

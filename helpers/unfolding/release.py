"""Publishing an unbinned unfolding the way ATLAS did (arXiv:2405.20041): one table of
particle-level simulated events with a nominal weight and replicas of it, and a reader that
turns any observable — a column or a function of columns — into a histogram with uncertainties.

Columns: the observables; ``weight_mc`` (the simulation's own weight); ``weights_nominal``;
``weights_ensemble_i`` (network seeds), ``weights_bootstrap_data_i`` and ``weights_bootstrap_mc_i``
(Poisson replicas of the data and of the simulation); one ``weights_<systematic>`` per systematic
variation; ``weights_dd`` and ``target_dd`` (data-driven non-closure: the unfolded and the true
weights of a reweighted simulation). All weights are in pb per event: a sum over events is a
fiducial cross-section.

Uncertainty recipe (shared/notes/omnifold.md, after the release's utilities): bootstraps → the std
over replicas (and their covariance); network seeds → 1.253 σ/√N, the standard error of a median,
since the nominal is the per-event median over seeds; systematics and the non-closure → the shift
from nominal, fully correlated across bins. Total covariance = the sum.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

REPLICA_KINDS = ("ensemble", "bootstrap_data", "bootstrap_mc")
_REPLICA = re.compile(r"^weights_(ensemble|bootstrap_data|bootstrap_mc)_(\d+)$")
MEDIAN_ERROR_FACTOR = 1.2533      # √(π/2): standard error of a median over that of a mean (Gaussian)


def fiducial_weights(push, pull, pass_gen, pass_reco, data_weight_sum: float, luminosity_pb: float):
    """Per-event cross-sections (pb) of the unfolded particle-level events from MultiFold weights.

    MultiFold keeps the simulation's normalisation; scaling by k = Σ data weights / Σ pull over
    reconstructed events makes the reconstructed total equal the data's, and dividing by the
    integrated luminosity turns events into pb. Returns the weights of the events with ``pass_gen``.
    """
    push, pull = np.asarray(push, float), np.asarray(pull, float)
    pass_gen, pass_reco = np.asarray(pass_gen, bool), np.asarray(pass_reco, bool)
    if not (push.shape == pull.shape == pass_gen.shape == pass_reco.shape) or push.ndim != 1:
        raise ValueError(f"push {push.shape}, pull {pull.shape}, pass_gen {pass_gen.shape} and pass_reco "
                         f"{pass_reco.shape} must be 1-D arrays of one length")
    if luminosity_pb <= 0 or data_weight_sum <= 0:
        raise ValueError(f"luminosity ({luminosity_pb}) and data weight sum ({data_weight_sum}) must be positive")
    k = data_weight_sum / pull[pass_reco].sum()
    return push[pass_gen] * k / luminosity_pb


def write_release(path, observables: Mapping[str, np.ndarray], weights: Mapping[str, np.ndarray],
                  attrs: Mapping[str, object] = ()) -> None:
    """Write the table (group ``events``) atomically. ``weights`` keys are column names
    (``weights_nominal``, ``weights_ensemble_0`` …); every array must have one entry per event."""
    from helpers.pipeline.cache import write_h5_arrays

    cols = {**{k: np.asarray(v, np.float32) for k, v in observables.items()},
            **{k: np.asarray(v, np.float64) for k, v in weights.items()}}
    shapes = {k: v.shape for k, v in cols.items()}
    if len(set(shapes.values())) != 1 or any(len(s) != 1 for s in shapes.values()):
        raise ValueError(f"every column must be 1-D with one entry per event; shapes: {shapes}")
    if "weights_nominal" not in weights:
        raise ValueError("a release needs a 'weights_nominal' column")
    for k, v in weights.items():
        if not (k.startswith("weights_") or k in ("weight_mc", "target_dd")):
            raise ValueError(f"weight column {k!r} must be named weights_<what>, weight_mc or target_dd")
        if not np.all(np.isfinite(v)):
            raise ValueError(f"weight column {k!r} has {np.sum(~np.isfinite(v))} non-finite entries")
    write_h5_arrays(path, {f"events/{k}": v for k, v in cols.items()},
                    attrs={"format": "physml-book unbinned unfolding release, v1", **dict(attrs)})


@dataclass
class Histogram:
    """A histogram of the unfolded events: ``nominal`` per bin, ``errors`` (source → per-bin
    uncertainty, signed shifts for systematics), ``covariance`` (total)."""

    edges: np.ndarray
    nominal: np.ndarray
    errors: dict
    covariance: np.ndarray
    shifts: dict = field(default_factory=dict)

    @property
    def total(self) -> np.ndarray:
        return np.sqrt(np.diag(self.covariance))

    def relative(self) -> dict:
        with np.errstate(divide="ignore", invalid="ignore"):
            return {k: np.abs(v) / self.nominal for k, v in {**self.errors, "total": self.total}.items()}


class Release:
    """Read a release — written by :func:`write_release`, or a pandas table under the key 'df' as
    ATLAS published theirs — and histogram observables from it."""

    def __init__(self, path):
        import h5py

        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"no release file at {path!r}")
        try:
            with h5py.File(path, "r") as f:
                keys = set(f)
                if "events" in keys:
                    self.table = {k: f["events"][k][()] for k in f["events"]}
                    self.attrs = dict(f.attrs)
        except OSError as err:
            raise ValueError(f"{path!r} is not a readable HDF5 file ({err})") from err
        if "events" not in keys:
            if "df" not in keys:
                raise ValueError(f"{path!r} has neither an 'events' group (write_release) nor a pandas table "
                                 f"under the key 'df' (the ATLAS release); it has {sorted(keys)}")
            self.table, self.attrs = self._read_pandas(path), {"format": "pandas table 'df' (ATLAS release layout)"}
        if "weights_nominal" not in self.table:
            raise ValueError(f"{path!r} lacks the column 'weights_nominal'")
        self.replicas: dict[str, list[np.ndarray]] = {k: [] for k in REPLICA_KINDS}
        for name in sorted(self.table, key=lambda s: (len(s), s)):
            m = _REPLICA.match(name)
            if m:
                self.replicas[m.group(1)].append(self.table[name])
        self.systematics = sorted(k for k in self.table if k.startswith("weights_") and k not in ("weights_nominal", "weights_dd")
                                  and not _REPLICA.match(k))
        self.path = path

    @staticmethod
    def _read_pandas(path):
        """The ATLAS release's layout: a pandas DataFrame stored with PyTables under the key 'df'
        (arXiv:2405.20041; shared/notes/omnifold.md)."""
        import pandas as pd

        df = pd.read_hdf(path, key="df")
        return {str(c): df[c].to_numpy() for c in df.columns}

    def __len__(self):
        return len(self.table["weights_nominal"])

    @property
    def observables(self) -> list[str]:
        return [k for k in self.table if not (k.startswith("weights_") or k in ("weight_mc", "target_dd"))]

    def values(self, observable) -> np.ndarray:
        if callable(observable):
            v = np.asarray(observable(self.table), float)
        elif isinstance(observable, str):
            if observable not in self.table:
                raise KeyError(f"no column {observable!r} in the release; columns: {self.observables}")
            v = np.asarray(self.table[observable], float)
        else:
            v = np.asarray(observable, float)
        if v.shape != (len(self),):
            raise ValueError(f"observable has shape {v.shape}, expected ({len(self)},) — one value per event")
        return v

    def _hist(self, v, w, edges, density):
        ok = np.isfinite(v)
        h = np.histogram(v[ok], edges, weights=w[ok])[0]
        if density:
            h = h / h.sum() / np.diff(edges)
        else:
            h = h / np.diff(edges)
        return h

    def histogram(self, observable, edges, *, density: bool = False) -> Histogram:
        """dσ/dx (pb per unit of x) or, with ``density``, (1/σ) dσ/dx; events without a value (NaN,
        e.g. no second jet) are left out."""
        edges = np.asarray(edges, float)
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError(f"edges must be increasing with at least 2 entries, got {edges}")
        v = self.values(observable)
        h = lambda w: self._hist(v, np.asarray(w, float), edges, density)  # noqa: E731
        nominal = h(self.table["weights_nominal"])
        errors, shifts = {}, {}
        cov = np.zeros((len(nominal), len(nominal)))
        for kind, reps in self.replicas.items():
            if len(reps) < 2:
                continue
            hs = np.array([h(w) for w in reps])
            if kind == "ensemble":
                err = MEDIAN_ERROR_FACTOR * hs.std(axis=0, ddof=1) / np.sqrt(len(hs))
                cov += np.diag(err**2)
            else:
                err = hs.std(axis=0, ddof=1)
                # a covariance estimated from fewer replicas than bins is singular and noisy: keep
                # only its diagonal then (bin-to-bin correlations need more replicas)
                cov += np.cov(hs, rowvar=False) if len(hs) > len(nominal) else np.diag(err**2)
            errors[kind] = err
        for name in self.systematics:
            d = h(self.table[name]) - nominal
            shifts[name.removeprefix("weights_")] = d
            cov += np.outer(d, d)
        if "weights_dd" in self.table and "target_dd" in self.table:
            d = h(self.table["weights_dd"]) - h(self.table["target_dd"])
            shifts["nonclosure"] = d
            cov += np.outer(d, d)
        errors.update(shifts)
        return Histogram(edges, nominal, errors, cov, shifts)

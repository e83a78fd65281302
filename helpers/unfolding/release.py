"""Publishing an unbinned unfolding the way ATLAS did (arXiv:2405.20041): one table of
particle-level simulated events with a nominal weight and replicas of it, and a reader that
turns any observable — a column or a function of columns — into a histogram with uncertainties.

Columns: the observables; ``weight_mc`` (the simulation's own weight); ``weights_nominal``;
``weights_ensemble_i`` (network seeds), ``weights_bootstrap_data_i`` and ``weights_bootstrap_mc_i``
(Poisson replicas of the data and of the simulation); one ``weights_<systematic>`` per systematic
variation; ``weights_dd`` and ``target_dd`` (data-driven non-closure: the unfolded and the true
weights of a reweighted simulation). All weights are in pb per event: a sum over events is a
fiducial cross-section.

Uncertainty recipe (after the release's utilities): bootstraps → the std over replicas (and their
covariance); network seeds → f · σ/√N with f = 1 when the nominal is the per-event mean over seeds
(ATLAS) and f = √(π/2) ≈ 1.253, the standard error of a median, when it is the median (this book);
systematics, declared as a mapping source → column (one-sided: the shift from nominal) or
source → (up, down) (symmetrised: half the difference), and the non-closure → fully correlated
across bins. Total covariance = the sum.

Nothing is guessed from column names: a weight column that is neither the nominal, a replica
``weights_<ensemble|bootstrap_data|bootstrap_mc>_<i>``, a declared systematic, nor the non-closure
pair is an error naming it. Units (pb, fb or events), the luminosity and whether the weights include
``weight_mc`` are stated in the file (``write_release``) or by the reader's arguments. A file from
``write_release`` carries a SHA-256 checksum of its columns, verified on reading.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import warnings
from collections.abc import Mapping

import numpy as np

REPLICA_KINDS = ("ensemble", "bootstrap_data", "bootstrap_mc")
_REPLICA = re.compile(r"^weights_(ensemble|bootstrap_data|bootstrap_mc)_(\d+)$")
MEDIAN_ERROR_FACTOR = 1.2533  # √(π/2): standard error of a median over that of a mean (Gaussian)
UNITS = ("pb", "fb", "events")
NONCLOSURE = ("weights_dd", "target_dd")

# The systematic weight columns of the ATLAS Z → μμ + jets release (arXiv:2405.20041), one variation each
ATLAS_ZJETS_SYSTEMATICS = {
    name: f"weights_{name}"
    for name in (
        "pileup",
        "muEffReco",
        "muEffIso",
        "muEffTrack",
        "muEffTrig",
        "muCalID",
        "muCalMS",
        "muCalResBias",
        "muCalScale",
        "trackEffMain",
        "trackEffJet",
        "trackFake",
        "trackPtScale",
        "theoryPSjet",
        "theoryPSsoft",
        "theoryMPI",
        "theoryPSscale",
        "theoryAlphaS",
        "theoryQCD",
        "theoryPDF",
        "topBackground",
        "lumi",
    )
}


class UnverifiedReleaseWarning(UserWarning):
    """The release file carries no checksum: its content cannot be verified."""


def _checksum(table: Mapping[str, np.ndarray]) -> str:
    """SHA-256 over the columns' names, dtypes, shapes and bytes, in name order."""
    h = hashlib.sha256()
    for k in sorted(table):
        v = np.ascontiguousarray(table[k])
        h.update(f"{k}|{v.dtype.str}|{v.shape}|".encode())
        h.update(v.tobytes())
    return h.hexdigest()


def _is_weight(name: str) -> bool:
    return name.startswith("weight") or name == "target_dd"


def _check_weight_values(name, v):
    v = np.asarray(v)
    nan = int(np.sum(np.isnan(v)))
    if nan:
        raise ValueError(f"weight column {name!r} has {nan} NaN row(s) of {len(v)}")
    inf = int(np.sum(np.isinf(v)))
    if inf:
        raise ValueError(f"weight column {name!r} has {inf} infinite row(s) of {len(v)}")


def _normalise_systematics(systematics) -> dict:
    out = {}
    for source, cols in dict(systematics).items():
        if isinstance(cols, str):
            out[str(source)] = cols
        elif isinstance(cols, (tuple, list)) and len(cols) == 2 and all(isinstance(c, str) for c in cols):
            out[str(source)] = (cols[0], cols[1])
        else:
            raise ValueError(
                f"systematic {source!r}: give one column name (one-sided) or an (up, down) pair of "
                f"column names, got {cols!r}"
            )
    return out


def fiducial_weights(push, pull, pass_gen, pass_reco, data_weight_sum: float, luminosity_pb: float):
    """Per-event cross-sections (pb) of the unfolded particle-level events from MultiFold weights.

    MultiFold keeps the simulation's normalisation; scaling by k = Σ data weights / Σ pull over
    reconstructed events makes the reconstructed total equal the data's, and dividing by the
    integrated luminosity turns events into pb. Returns the weights of the events with ``pass_gen``.
    """
    push, pull = np.asarray(push, float), np.asarray(pull, float)
    pass_gen, pass_reco = np.asarray(pass_gen, bool), np.asarray(pass_reco, bool)
    if not (push.shape == pull.shape == pass_gen.shape == pass_reco.shape) or push.ndim != 1:
        raise ValueError(
            f"push {push.shape}, pull {pull.shape}, pass_gen {pass_gen.shape} and pass_reco "
            f"{pass_reco.shape} must be 1-D arrays of one length"
        )
    if luminosity_pb <= 0 or data_weight_sum <= 0:
        raise ValueError(f"luminosity ({luminosity_pb}) and data weight sum ({data_weight_sum}) must be positive")
    k = data_weight_sum / pull[pass_reco].sum()
    return push[pass_gen] * k / luminosity_pb


def write_release(
    path,
    observables: Mapping[str, np.ndarray],
    weights: Mapping[str, np.ndarray],
    attrs: Mapping[str, object] = (),
    *,
    systematics: Mapping[str, object] = (),
    nominal: str = "median",
    units: str = "pb",
) -> None:
    """Write the table (group ``events``) atomically, with a SHA-256 checksum of its columns.
    ``weights`` keys are column names (``weights_nominal``, ``weights_ensemble_0`` …); every array must
    have one entry per event. The file states ``systematics`` (source → column or (up, down) columns),
    how ``weights_nominal`` was made from the ensemble (``nominal``: "mean" or "median"), the
    weights' ``units`` and that they include ``weight_mc``."""
    from helpers.pipeline.cache import write_h5_arrays

    if units not in UNITS:
        raise ValueError(f"units must be one of {UNITS}, got {units!r}")
    if nominal not in ("mean", "median"):
        raise ValueError(f"nominal must be 'mean' or 'median' (of the ensemble), got {nominal!r}")
    cols = {
        **{k: np.asarray(v, np.float32) for k, v in observables.items()},
        **{k: np.asarray(v, np.float64) for k, v in weights.items()},
    }
    shapes = {k: v.shape for k, v in cols.items()}
    if len(set(shapes.values())) != 1 or any(len(s) != 1 for s in shapes.values()):
        raise ValueError(f"every column must be 1-D with one entry per event; shapes: {shapes}")
    if "weights_nominal" not in weights:
        raise ValueError("a release needs a 'weights_nominal' column")
    for k, v in weights.items():
        if not (k.startswith("weights_") or k in ("weight_mc", "target_dd")):
            raise ValueError(f"weight column {k!r} must be named weights_<what>, weight_mc or target_dd")
        _check_weight_values(k, v)
    syst = _normalise_systematics(systematics)
    table = {f"events/{k}": v for k, v in cols.items()}
    write_h5_arrays(
        path,
        table,
        attrs={
            "format": "physml-book unbinned unfolding release, v2",
            **dict(attrs),
            "sha256": _checksum(cols),
            "systematics": json.dumps(syst),
            "nominal": nominal,
            "units": units,
            "weight_mc": "included",
        },
    )


class Release:
    """Read a release — written by :func:`write_release`, or a pandas table under the key 'df' as
    ATLAS published theirs — and histogram observables from it.

    ``systematics``: source → column (one-sided) or (up, down) columns; default: the mapping stored in
    the file (none for a pandas table; for the ATLAS file pass :data:`ATLAS_ZJETS_SYSTEMATICS`).
    ``nominal``: "column" (default: ``weights_nominal`` as stored), "mean" or "median" (rebuilt per
    event from the ensemble). ``ensemble_error_factor``: the seed error is f · σ/√N; default 1 for a
    mean and √(π/2) for a median — of the ``nominal`` option, or for "column" of how the file says its
    nominal was built (``write_release``'s ``nominal``), else 1 (ATLAS's nominal is the ensemble
    mean). ``units`` ("pb", "fb", "events") and ``weight_mc``
    ("included": the weights already contain it, as in both layouts; "multiply": multiply every weight
    column by it) must be stated by the file or here; ``luminosity_pb`` (pb⁻¹) converts events to
    cross-sections (default: the file's ``luminosity_pb``)."""

    def __init__(
        self,
        path,
        *,
        systematics: Mapping[str, object] | None = None,
        nominal: str | None = None,
        ensemble_error_factor: float | None = None,
        units: str | None = None,
        weight_mc: str | None = None,
        luminosity_pb: float | None = None,
    ):
        import h5py

        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"no release file at {path!r}")
        try:
            with h5py.File(path, "r") as f:
                keys = set(f)
                if "events" in keys:
                    self.table = {k: f["events"][k][()] for k in f["events"]}
                    self.attrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in f.attrs.items()}
        except OSError as err:
            raise ValueError(f"{path!r} is not a readable HDF5 file ({err})") from err
        if "events" not in keys:
            if "df" not in keys:
                raise ValueError(
                    f"{path!r} has neither an 'events' group (write_release) nor a pandas table "
                    f"under the key 'df' (the ATLAS release); it has {sorted(keys)}"
                )
            self.table, self.attrs = self._read_pandas(path), {"format": "pandas table 'df' (ATLAS release layout)"}
        self.path = path
        stored = self.attrs.get("sha256")
        if stored is None:
            warnings.warn(
                f"{path!r} carries no checksum: its content cannot be verified", UnverifiedReleaseWarning, stacklevel=2
            )
        elif str(stored) != _checksum(self.table):
            raise ValueError(
                f"{path!r}: checksum mismatch (stored {str(stored)[:12]}…, computed "
                f"{_checksum(self.table)[:12]}…): the file was changed or damaged after it was written"
            )
        for k, v in self.table.items():
            if _is_weight(k):
                _check_weight_values(k, v)

        # --- statements: units, weight_mc, luminosity, nominal
        self.units = units or self.attrs.get("units")
        if self.units not in UNITS:
            raise ValueError(
                f"{path!r} does not state the units of its weights ({self.units!r}): pass units= one of {UNITS}"
            )
        self.weight_mc = weight_mc or self.attrs.get("weight_mc")
        if self.weight_mc not in ("included", "multiply"):
            raise ValueError(
                f"{path!r} does not state whether its weights include weight_mc ({self.weight_mc!r}): "
                "pass weight_mc='included' or 'multiply'"
            )
        if self.weight_mc == "multiply" and "weight_mc" not in self.table:
            raise ValueError(f"weight_mc='multiply' but {path!r} has no 'weight_mc' column")
        lumi = luminosity_pb if luminosity_pb is not None else self.attrs.get("luminosity_pb")
        self.luminosity_pb = None if lumi is None else float(lumi)
        if self.luminosity_pb is not None and not self.luminosity_pb > 0:
            raise ValueError(f"luminosity_pb must be positive, got {self.luminosity_pb}")
        self.nominal = nominal or "column"
        if self.nominal not in ("mean", "median", "column"):
            raise ValueError(f"nominal must be 'mean', 'median' or 'column', got {self.nominal!r}")
        built = self.nominal if self.nominal != "column" else self.attrs.get("nominal", "mean")

        # --- columns: replicas, declared systematics, non-closure; anything else weight-like is an error
        self.replicas: dict[str, list[np.ndarray]] = {k: [] for k in REPLICA_KINDS}
        replica_cols = set()
        for name in sorted(self.table, key=lambda s: (len(s), s)):
            m = _REPLICA.match(name)
            if m:
                self.replicas[m.group(1)].append(self._w(name))
                replica_cols.add(name)
        if systematics is None:
            systematics = json.loads(self.attrs["systematics"]) if "systematics" in self.attrs else {}
        self.systematics = _normalise_systematics(systematics)
        declared = {c for v in self.systematics.values() for c in ((v,) if isinstance(v, str) else v)}
        absent = sorted(c for c in declared if c not in self.table)
        if absent:
            raise ValueError(f"the systematics mapping names column(s) absent from {path!r}: {absent}")
        self.has_nonclosure = all(c in self.table for c in NONCLOSURE)
        known = (
            {"weights_nominal", "weight_mc"}
            | replica_cols
            | declared
            | (set(NONCLOSURE) if self.has_nonclosure else set())
        )
        unknown = sorted(k for k in self.table if _is_weight(k) and k not in known)
        if unknown:
            raise ValueError(
                f"undeclared weight column(s) {unknown} in {path!r}: not weights_nominal, not a replica "
                "weights_<ensemble|bootstrap_data|bootstrap_mc>_<i>, not in the systematics mapping, not "
                "the non-closure pair weights_dd/target_dd — declare them (systematics={source: column "
                "or (up, down)}) or fix their names"
            )
        ens = self.replicas["ensemble"]
        if self.nominal == "column":
            if "weights_nominal" not in self.table:
                raise ValueError(f"{path!r} lacks the column 'weights_nominal' (or pass nominal='mean'/'median')")
            self.nominal_weights = self._w("weights_nominal")
        else:
            if not ens:
                raise ValueError(f"nominal={self.nominal!r} needs weights_ensemble_<i> columns; {path!r} has none")
            self.nominal_weights = (np.mean if self.nominal == "mean" else np.median)(ens, axis=0)
        self.ensemble_error_factor = float(
            ensemble_error_factor
            if ensemble_error_factor is not None
            else MEDIAN_ERROR_FACTOR
            if built == "median"
            else 1.0
        )

    def _w(self, name) -> np.ndarray:
        w = np.asarray(self.table[name], float)
        if getattr(self, "weight_mc", None) == "multiply" and name != "weight_mc":
            w = w * np.asarray(self.table["weight_mc"], float)
        return w

    @staticmethod
    def _read_pandas(path):
        """The ATLAS release's layout: a pandas DataFrame stored with PyTables under the key 'df'
        (arXiv:2405.20041)."""
        import pandas as pd

        df = pd.read_hdf(path, key="df")
        return {str(c): df[c].to_numpy() for c in df.columns}

    def __len__(self):
        return len(next(iter(self.table.values())))

    def __getitem__(self, observable) -> np.ndarray:
        return self.values(observable)

    def to_pandas(self):
        """The table as a pandas DataFrame (one row per event), with the nominal weight used by the reader
        as column ``nominal``."""
        import pandas as pd

        return pd.DataFrame({**self.table, "nominal": self.nominal_weights})

    @property
    def observables(self) -> list[str]:
        return [k for k in self.table if not _is_weight(k)]

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

    def _scale(self, unit):
        """Factor from the file's units to ``unit``."""
        unit = unit or self.units
        if unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
        to_pb = {"pb": 1.0, "fb": 1e-3}
        if unit == self.units:
            return 1.0, unit
        if "events" in (unit, self.units):
            if self.luminosity_pb is None:
                raise ValueError(f"converting {self.units} to {unit} needs the luminosity: pass luminosity_pb=")
            if self.units == "events":
                return 1.0 / self.luminosity_pb / to_pb[unit], unit
            return to_pb[self.units] * self.luminosity_pb, unit
        return to_pb[self.units] / to_pb[unit], unit

    def histogram(
        self,
        observable,
        bins=10,
        *,
        range=None,
        weights=None,
        density: bool = False,
        per_width: bool = True,
        unit: str | None = None,
    ):
        """A ``hist.Hist`` of ``observable`` (a column name, a function of the columns, or per-event
        values): contents dσ/dx (``per_width``; else σ per bin) in ``unit`` (default the file's) or,
        with ``density``, (1/σ) dσ/dx; variances = the diagonal of the total covariance. ``bins``: a
        count (equal bins over ``range`` or the values' span) or the edges. ``weights``: per-event
        factors (or a function of the columns) applied to every weight column, e.g. a selection.
        Alongside, as attributes: ``errors`` (source → per-bin uncertainty; signed shifts for
        systematics), ``shifts``, ``covariance``, ``nominal``, ``total``, ``relative`` (source →
        |error| / nominal, with "total"), ``edges``, ``unit``. Events without a value (NaN) are left out."""
        import hist

        v = self.values(observable)
        if np.ndim(bins) == 0:
            n = int(bins)
            if n < 1 or n != bins:
                raise ValueError(f"bins must be a positive count or the edges, got {bins!r}")
            lo, hi = range if range is not None else (np.nanmin(v), np.nanmax(v))
            edges = np.linspace(lo, hi, n + 1)
            if range is None:
                edges[-1] = np.nextafter(edges[-1], np.inf)  # the largest value falls inside
        else:
            edges = np.asarray(bins, float)
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
            raise ValueError(f"edges must be increasing with at least 2 entries, got {edges}")
        extra = (
            np.ones(len(self))
            if weights is None
            else np.asarray(weights(self.table) if callable(weights) else weights, float)
        )
        if extra.shape != (len(self),):
            raise ValueError(f"weights have shape {extra.shape}, expected ({len(self)},) — one per event")
        factor, unit = self._scale(unit)
        ok = np.isfinite(v)
        width = np.diff(edges)

        def h(w):
            c = np.histogram(v[ok], edges, weights=(np.asarray(w, float) * extra)[ok])[0] * factor
            if density:
                return c / c.sum() / width
            return c / width if per_width else c

        nominal = h(self.nominal_weights)
        errors, shifts = {}, {}
        cov = np.zeros((len(nominal), len(nominal)))
        for kind, reps in self.replicas.items():
            if len(reps) < 2:
                continue
            hs = np.array([h(w) for w in reps])
            if kind == "ensemble":
                err = self.ensemble_error_factor * hs.std(axis=0, ddof=1) / np.sqrt(len(hs))
                cov += np.diag(err**2)
            else:
                err = hs.std(axis=0, ddof=1)
                # a covariance estimated from fewer replicas than bins is singular and noisy: keep
                # only its diagonal then (bin-to-bin correlations need more replicas)
                cov += np.cov(hs, rowvar=False) if len(hs) > len(nominal) else np.diag(err**2)
            errors[kind] = err
        for source, cols in self.systematics.items():
            if isinstance(cols, str):
                d = h(self._w(cols)) - nominal
            else:  # symmetrised: half the up − down difference
                d = 0.5 * (h(self._w(cols[0])) - h(self._w(cols[1])))
            shifts[source] = d
            cov += np.outer(d, d)
        if self.has_nonclosure:
            d = h(self._w("weights_dd")) - h(self._w("target_dd"))
            shifts["nonclosure"] = d
            cov += np.outer(d, d)
        errors.update(shifts)
        name = observable if isinstance(observable, str) else getattr(observable, "__name__", "x")
        out = hist.Hist(hist.axis.Variable(edges, name=str(name), label=str(name)), storage=hist.storage.Weight())
        out[...] = np.stack([nominal, np.diag(cov)], axis=-1)
        total = np.sqrt(np.diag(cov))
        with np.errstate(divide="ignore", invalid="ignore"):
            relative = {k: np.abs(e) / nominal for k, e in {**errors, "total": total}.items()}
        out.errors, out.shifts, out.covariance = errors, shifts, cov
        out.nominal, out.total, out.relative, out.edges, out.unit = nominal, total, relative, edges, unit
        return out

    def summary(self, observable=None, bins=None, *, unit: str | None = None, file=None, **kw):
        """Print (and return, as a pandas DataFrame) the uncertainty breakdown per source: without an
        observable, of the total fiducial cross-section (Σ weights); with one, per bin of ``bins``,
        in % of the nominal."""
        import pandas as pd

        if observable is None:
            h = self.histogram(lambda t: np.zeros(len(self)), [-0.5, 0.5], per_width=False, unit=unit)
            rows = {
                k: [float(np.abs(e[0])), 100 * float(h.relative[k][0])]
                for k, e in {**h.errors, "total": h.total}.items()
            }
            df = pd.DataFrame.from_dict(rows, orient="index", columns=[f"σ error [{h.unit}]", "relative [%]"])
            title = f"σ = {h.nominal[0]:.6g} {h.unit} ({len(self)} events); uncertainty per source:"
        else:
            h = self.histogram(observable, 10 if bins is None else bins, unit=unit, **kw)
            labels = [f"[{a:.4g}, {b:.4g})" for a, b in zip(h.edges[:-1], h.edges[1:])]
            df = pd.DataFrame({k: 100 * np.asarray(r) for k, r in h.relative.items()}, index=labels).T
            title = f"relative uncertainty [%] per source and bin of {h.axes[0].name}:"
        df.index.name = "source"
        print(title, file=file)
        print(df.to_string(float_format=lambda x: f"{x:.3g}"), file=file)
        return df

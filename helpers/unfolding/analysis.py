"""Plumbing of the Z → μμ + jets unfolding (chapter 5, part 2): one call per MultiFold run on the
samples of ``helpers.zjets``, the prior reweighting, and the loop over every replica and
variation that the release needs."""

from __future__ import annotations

import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from helpers.unfolding.omnifold import ConvergenceWarning, Reweighter, default_classifier, multifold
from helpers.unfolding.release import fiducial_weights


@dataclass(frozen=True)
class Settings:
    n_iterations: int = 3
    epochs: int = 10
    batch_size: int = 512
    hidden: tuple = (100, 100, 100)  # the MultiFold network of the OmniFold paper
    learning_rate: float = 1e-3
    validation: float = 0.2  # early stopping on a held-out fifth, as the paper did (patience 10)
    patience: int = 3

    def build(self):
        return lambda n: default_classifier(n, hidden=tuple(self.hidden), learning_rate=self.learning_rate)


def luminosity_pb(data) -> float:
    """Integrated luminosity (pb⁻¹) the pseudo-data sample stands for: N generated / σ."""
    return data.n_generated / data.sigma_pb


def unfold(
    mc, data, settings: Settings, *, seed: int, mc_weights=None, data_weights=None, reco=None, data_features=None
):
    """MultiFold of ``data`` (a Sample; its reconstructed events) with the simulation ``mc``.
    ``reco`` replaces the simulation's detector level (a detector variation: a Sample of the same
    events), ``data_features`` replaces the data (e.g. a reweighted simulation)."""
    r = reco if reco is not None else mc
    if reco is not None and len(reco) != len(mc):
        raise ValueError(
            f"the varied detector sample has {len(reco)} events, the simulation {len(mc)}: they must be the same events"
        )
    xd = data.features("reco")[data.pass_reco] if data_features is None else data_features
    return multifold(
        mc.features("gen"),
        r.features("reco"),
        xd,
        pass_gen=mc.pass_gen,
        pass_reco=r.pass_reco,
        mc_weights=mc_weights,
        data_weights=data_weights,
        n_iterations=settings.n_iterations,
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        build=settings.build(),
        seed=seed,
        validation=settings.validation,
        patience=settings.patience,
    )


def prior_weights(mc, alt, settings: Settings, *, seed: int) -> np.ndarray:
    """Per-event weights that make the simulation's particle level look like ``alt``'s (a classifier
    on the 26 particle-level features, ratio p/(1−p)); normalised to mean 1 over fiducial events,
    1 elsewhere. Used as the alternative prior."""
    xg = mc.features("gen")
    xa = alt.features("gen")[alt.pass_gen]
    from helpers.unfolding.omnifold import Standardiser

    s = Standardiser.fit(xg[mc.pass_gen])
    rw = Reweighter(xg.shape[1], settings.build(), 1, False)
    r, _ = rw.ratio(
        s(xg[mc.pass_gen]),
        np.ones(mc.pass_gen.sum()),
        s(xa),
        np.ones(len(xa)),
        s(xg[mc.pass_gen]),
        epochs=settings.epochs,
        batch_size=settings.batch_size,
        seed=seed,
        clip=1e-4,
        validation=settings.validation,
        patience=settings.patience,
    )
    w = np.ones(len(mc))
    w[mc.pass_gen] = r / r.mean()
    return w


def weights_pb(result, mc, data, *, data_weights=None, iteration: int = -1) -> np.ndarray:
    """Particle-level weights (pb per fiducial MC event) of one MultiFold result."""
    total = data.pass_reco.sum() if data_weights is None else float(np.sum(data_weights))
    return fiducial_weights(
        result.push[iteration], result.pull[iteration], result.pass_gen, result.pass_reco, total, luminosity_pb(data)
    )


@contextmanager
def _convergence_summary(what: str, log=print):
    """Collect the ConvergenceWarnings of many MultiFold runs (a release makes dozens) into one
    line and one warning; every other warning passes through unchanged."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        counter = {"runs": 0}
        yield counter
    late = [w for w in caught if issubclass(w.category, ConvergenceWarning)]
    for w in caught:
        if not issubclass(w.category, ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if late:
        msg = (
            f"{len(late)} of {counter['runs']} MultiFold runs of {what} had not converged by the "
            f"criterion (last iteration moved a bin by more than its tolerance); the first said: {late[0].message}"
        )
        log(msg)
        warnings.warn(msg, ConvergenceWarning, stacklevel=3)


def run_release(
    mc,
    data,
    alt,
    variations: dict,
    settings: Settings,
    *,
    seed: int,
    n_seeds: int,
    n_bootstrap_data: int,
    n_bootstrap_mc: int,
    log=print,
) -> dict[str, np.ndarray]:
    """Every weight column of the release, each from its own MultiFold run:
    ``weights_ensemble_i`` (seeds), nominal = their per-event median, data and MC Poisson bootstraps,
    one column per detector variation (``variations``: name → Sample of the same events through the
    varied detector), the alternative prior, and the data-driven non-closure (``weights_dd`` vs
    ``target_dd``). Returns column → weights (pb) on the simulation's fiducial events; also
    ``seconds`` (run time per kind)."""
    if n_seeds < 1 or n_bootstrap_data < 0 or n_bootstrap_mc < 0:
        raise ValueError(
            f"need n_seeds >= 1 and non-negative bootstrap counts, got {n_seeds}, {n_bootstrap_data}, {n_bootstrap_mc}"
        )
    with _convergence_summary("the release", log) as runs:
        return _release_columns(
            mc,
            data,
            alt,
            variations,
            settings,
            runs,
            seed=seed,
            n_seeds=n_seeds,
            n_bootstrap_data=n_bootstrap_data,
            n_bootstrap_mc=n_bootstrap_mc,
            log=log,
        )


def _release_columns(
    mc, data, alt, variations, settings, runs, *, seed, n_seeds, n_bootstrap_data, n_bootstrap_mc, log
) -> dict[str, np.ndarray]:
    """The body of :func:`run_release`: one MultiFold run per column, counted in ``runs`` and timed
    per kind in ``cols["seconds"]``."""
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    seconds: dict[str, float] = {}

    def timed(kind, fn):
        t = time.perf_counter()
        out = fn()
        seconds[kind] = seconds.get(kind, 0.0) + time.perf_counter() - t
        return out

    def counted(*args, **kw):
        runs["runs"] += 1
        return unfold(*args, **kw)

    ens_results = []
    for i in range(n_seeds):
        res = timed("ensemble", lambda: counted(mc, data, settings, seed=seed + 7919 * i))
        ens_results.append(res)
        cols[f"weights_ensemble_{i}"] = weights_pb(res, mc, data)
    log(f"network seeds: {n_seeds} runs, {seconds['ensemble']:.0f} s")
    cols["weights_nominal"] = np.median([cols[f"weights_ensemble_{i}"] for i in range(n_seeds)], axis=0)
    n_data = int(data.pass_reco.sum())
    for i in range(n_bootstrap_data):
        wd = rng.poisson(1.0, n_data).astype(float)
        res = timed("bootstrap_data", lambda: counted(mc, data, settings, seed=seed, data_weights=wd))
        cols[f"weights_bootstrap_data_{i}"] = weights_pb(res, mc, data, data_weights=wd)
    for i in range(n_bootstrap_mc):
        wm = rng.poisson(1.0, len(mc)).astype(float)
        res = timed("bootstrap_mc", lambda: counted(mc, data, settings, seed=seed, mc_weights=wm))
        cols[f"weights_bootstrap_mc_{i}"] = weights_pb(res, mc, data)
    log(
        f"bootstraps: {n_bootstrap_data} data + {n_bootstrap_mc} MC runs, "
        f"{seconds.get('bootstrap_data', 0) + seconds.get('bootstrap_mc', 0):.0f} s"
    )
    # A variation's run starts from the same network seed as ensemble member 0; its column is the
    # nominal plus the per-event change from that member, so that the shift is the variation's
    # effect and not one network's fluctuation (per-event weights can then be slightly negative).
    paired = lambda w: cols["weights_nominal"] + (w - cols["weights_ensemble_0"])
    for name, varied in variations.items():
        res = timed("detector", lambda: counted(mc, data, settings, seed=seed, reco=varied))
        cols[f"weights_{name}"] = paired(weights_pb(res, mc, data))
    w_prior = timed("prior", lambda: prior_weights(mc, alt, settings, seed=seed + 31))
    res = timed("prior", lambda: counted(mc, data, settings, seed=seed, mc_weights=w_prior))
    # the weights include the prior reweighting: they are the unfolded distribution when the
    # unfolding starts from the alternative prior
    cols["weights_prior"] = paired(weights_pb(res, mc, data))
    # data-driven non-closure: the simulation reweighted by the nominal result is the "truth"; its
    # detector level, with the same weights, is unfolded as if it were data.
    target = np.median([r.push[-1] for r in ens_results], axis=0)  # the nominal, unnormalised
    xd = mc.features("reco")[mc.pass_reco]
    res = timed(
        "nonclosure",
        lambda: counted(mc, data, settings, seed=seed + 1, data_features=xd, data_weights=target[mc.pass_reco]),
    )
    lumi = luminosity_pb(data)
    total = target[mc.pass_reco].sum()
    scale = n_data / total  # express the reweighted simulation at the data's size
    cols["weights_dd"] = scale * fiducial_weights(res.push[-1], res.pull[-1], res.pass_gen, res.pass_reco, total, lumi)
    cols["target_dd"] = scale * target[mc.pass_gen] / lumi
    log(
        f"detector variations, prior, non-closure: "
        f"{seconds.get('detector', 0) + seconds['prior'] + seconds['nonclosure']:.0f} s"
    )
    cols["seconds"] = seconds
    return cols


def ibu_observable(mc, data, column: str, edges, n_iterations: int) -> np.ndarray:
    """D'Agostini IBU of one observable in ``edges`` (the binned comparison): the response from the
    simulation's events where the observable exists (a jet observable needs the jet), the data's
    detector-level histogram, background (fakes, events outside the edges) subtracted. Returns the
    unfolded counts after ``n_iterations``."""
    from helpers.unfolding.ibu import build_response, ibu

    g, r = np.asarray(mc.gen[column], float), np.asarray(mc.reco[column], float)
    pg = mc.pass_gen & np.isfinite(g) & (g >= edges[0]) & (g < edges[-1])
    pr = mc.pass_reco & np.isfinite(r)
    resp = build_response(np.nan_to_num(g), np.nan_to_num(r), pg, pr, edges, edges)
    d = np.asarray(data.reco[column], float)[data.pass_reco]
    d = np.histogram(d[np.isfinite(d)], edges)[0].astype(float)
    return ibu(d, resp, n_iterations)[-1]


def distances(gen: dict, passed, weights, truth_gen: dict, truth_passed, edges: dict) -> dict[str, float]:
    """Triangular discriminator × 10³ per observable between a (weighted) simulation's particle level
    and a truth sample, in ``edges`` (column → bin edges); absent values (NaN) are left out."""
    from helpers.unfolding.metrics import triangular_discriminator

    passed, truth_passed = np.asarray(passed, bool), np.asarray(truth_passed, bool)
    w = None if weights is None else np.asarray(weights, float)
    if w is not None and w.shape != (passed.sum(),):
        raise ValueError(f"weights have shape {w.shape}, expected ({passed.sum()},) — one per passing event")
    out = {}
    for c, e in edges.items():
        a, b = np.asarray(gen[c], float)[passed], np.asarray(truth_gen[c], float)[truth_passed]
        ok = np.isfinite(a)
        ha = np.histogram(a[ok], e, weights=None if w is None else w[ok])[0]
        hb = np.histogram(b[np.isfinite(b)], e)[0]
        out[c] = triangular_discriminator(ha, hb)
    return out

"""MultiFold: OmniFold (Andreassen et al., PRL 124 (2020) 182001) on several observables at once.

Each iteration has two reweighting steps, each learnt by a classifier whose output p gives the
likelihood ratio p / (1 − p):

1. **pull** — data against the detector-level simulation (weighted by the current push weights):
   simulated events are reweighted to look like data at detector level;
2. **push** — the particle-level simulation with the pulled weights against the same simulation
   with the previous push weights: the change is turned into a function of particle-level
   quantities, so that every particle-level event gets a weight.

Events that fail reconstruction have no detector-level values: their step-1 weight is
predicted from their particle-level values by a third classifier ("step 1b"), trained on the
reconstructed events to map push to pull weights — otherwise they would dilute every update by
the inefficiency. Fakes (reconstructed, no particle-level event) are background predicted by the
simulation: they enter step 1 with their MC weight, are never reweighted, and are not part of
the particle-level result. MC weights multiply everything. Each
classifier trains on class-balanced weights (equal totals), so the weights stay normalised to
the simulation's total.

Off the happy path nothing is returned silently: non-finite inputs, empty samples, weights that
sum to zero and a simulation without events at both levels are named errors before any training;
a first iteration whose classifier learned nothing warns (:class:`LearnedNothingWarning`); MC
weights may be negative (NLO samples), with a :class:`NegativeWeightWarning` where the net weight of
a region is not positive; derived observables are monitored for convergence
(:class:`ConvergenceWarning`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np

LN2 = float(np.log(2.0))


class LearnedNothingWarning(UserWarning):
    """A step's classifier ended at the loss of a constant guess (ln 2) with weights ≈ 1."""


class NegativeWeightWarning(UserWarning):
    """The net simulation weight of a region of feature space is not positive."""


class ConvergenceWarning(UserWarning):
    """A monitored observable still changed by more than the tolerance in the last iteration."""


def default_classifier(n_features: int, hidden=(50, 50, 50), learning_rate=1e-3):
    """A dense network with a sigmoid output, as in the OmniFold paper (Keras 3 public API)."""
    import keras

    layers = [keras.Input((n_features,))]
    layers += [keras.layers.Dense(h, activation="relu") for h in hidden]
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    model = keras.Sequential(layers)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="binary_crossentropy")
    return model


def _as_2d(a, name):
    a = np.asarray(a, float)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2:
        raise ValueError(f"{name} must be (events,) or (events, features), got shape {a.shape}")
    return a


def _check_weights(w, n, name, *, allow_negative=False):
    if w is None:
        return np.ones(n)
    w = np.asarray(w, float)
    if w.shape != (n,):
        raise ValueError(f"{name} have shape {w.shape}, expected ({n},)")
    bad = ~np.isfinite(w) if allow_negative else ~np.isfinite(w) | (w < 0)
    if bad.any():
        need = "finite" if allow_negative else "finite and non-negative"
        raise ValueError(
            f"{name} must be {need}; {bad.sum()} are not (first: {w[bad][0]!r} at event {np.flatnonzero(bad)[0]})"
        )
    return w


def _reject_infinite(x, mask, name, where):
    """±inf among the events of ``mask`` (NaN is allowed there: it marks an absent feature)."""
    bad = np.isinf(x[mask]).any(axis=1)
    if bad.any():
        first = np.flatnonzero(mask)[np.flatnonzero(bad)[0]]
        raise ValueError(
            f"{name} has {int(bad.sum())} event(s) with non-finite (±inf) values among events "
            f"{where} (first at event {first}): remove or fix them before unfolding"
        )
    empty = np.isnan(x[mask]).all(axis=1)
    if empty.any():
        first = np.flatnonzero(mask)[np.flatnonzero(empty)[0]]
        raise ValueError(
            f"{name} has {int(empty.sum())} event(s) {where} whose every feature is NaN "
            f"(first at event {first}): such an event has no values to unfold"
        )


def _positive_total(w, mask, name, region):
    total = float(w[mask].sum())
    if not total > 0:
        raise ValueError(
            f"{name}: the net weight of the {region} is {total:g} (must be positive to normalise the reweighting)"
        )


def _warn_negative_regions(x, w, mask, name, level, n_bins=10):
    """Net weight ≤ 0 in a quantile bin of any feature: p/(1−p) cannot describe a negative density."""
    if not np.any(w[mask] < 0):
        return
    for j in range(x.shape[1]):
        v, wj = x[mask, j], w[mask]
        ok = np.isfinite(v)
        if ok.sum() < n_bins:
            continue
        edges = np.unique(np.quantile(v[ok], np.linspace(0, 1, n_bins + 1)))
        if len(edges) < 3:
            continue
        net = np.histogram(v[ok], edges, weights=wj[ok])[0]
        bad = np.flatnonzero(net <= 0)
        if len(bad):
            b = bad[0]
            warnings.warn(
                f"{name}: net weight <= 0 in {len(bad)} of {len(net)} quantile bins of {level} feature {j} "
                f"(first: [{edges[b]:.4g}, {edges[b + 1]:.4g}], net {net[b]:.4g}): the classifier cannot "
                "learn a ratio there",
                NegativeWeightWarning,
                stacklevel=3,
            )


@dataclass
class Standardiser:
    """Robust standardisation: (x − median) / (IQR / 1.349), so that one outlier cannot squash every
    other event to zero (mean and standard deviation would follow it); scaled values are clipped at
    ±``limit`` (in units of the robust σ). A feature with zero IQR (e.g. a mostly-constant flag)
    falls back to its standard deviation, a constant one to 1. NaN (absent feature) maps to 0, the
    median."""

    centre: np.ndarray
    scale: np.ndarray
    limit: float = 20.0

    @classmethod
    def fit(cls, x, limit: float = 20.0):
        x = np.where(np.isfinite(x), x, np.nan)
        centre = np.nanmedian(x, axis=0)
        q25, q75 = np.nanpercentile(x, [25, 75], axis=0)
        scale = (q75 - q25) / 1.349
        std = np.nanstd(x, axis=0)
        scale = np.where(scale > 0, scale, np.where(std > 0, std, 1.0))
        return cls(centre, scale, limit)

    def __call__(self, x):
        with np.errstate(invalid="ignore"):
            z = (x - self.centre) / self.scale
        return np.nan_to_num(np.clip(z, -self.limit, self.limit))


def _binned_change(values, w_old, w_new, edges):
    """Largest change of a histogram between two weightings, per bin in units of the bin's
    statistical error √Σw² (of the new weights)."""
    ok = np.isfinite(values)
    h0 = np.histogram(values[ok], edges, weights=w_old[ok])[0]
    h1 = np.histogram(values[ok], edges, weights=w_new[ok])[0]
    s2 = np.histogram(values[ok], edges, weights=w_new[ok] ** 2)[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        z = np.where(s2 > 0, np.abs(h1 - h0) / np.sqrt(s2), 0.0)
    return float(z.max()) if len(z) else 0.0


@dataclass
class OmniFoldResult:
    """``push[k]`` and ``pull[k]``: per-event weights (MC weights included) after iteration k+1.
    Particle-level results use ``push[k][pass_gen]`` on ``gen[pass_gen]``."""

    push: np.ndarray
    pull: np.ndarray
    pass_gen: np.ndarray
    pass_reco: np.ndarray
    history: list = field(default_factory=list)
    convergence: dict = field(default_factory=dict)
    """observable → per-iteration change (largest bin change of its particle-level histogram, in units
    of the bin's statistical error; entry k compares iteration k+1 with iteration k, 0 = the prior)."""
    converged: bool | None = None

    def particle_weights(self, iteration: int = -1) -> np.ndarray:
        return self.push[iteration][self.pass_gen]


class Reweighter:
    """One reweighting step: an ensemble of classifiers, optionally warm-started across calls."""

    def __init__(self, n_features, build: Callable | None, n_ensemble: int, warm_start: bool):
        self.n_features = n_features
        self.build = build or default_classifier
        self.n_ensemble = n_ensemble
        self.warm_start = warm_start
        self.models: list = []

    def ratio(
        self,
        x0,
        w0,
        x1,
        w1,
        x_eval,
        *,
        epochs,
        batch_size,
        seed,
        clip,
        verbose=0,
        validation: float = 0.0,
        patience: int = 3,
    ):
        """Likelihood ratio p/(1−p) of sample 1 over sample 0 at ``x_eval``. With ``validation`` > 0,
        that share of the (shuffled) events is held out and training stops when their weighted loss
        has not improved for ``patience`` epochs, keeping the best weights."""
        import keras

        X = np.concatenate([x0, x1]).astype("float32")
        y = np.concatenate([np.zeros(len(x0)), np.ones(len(x1))]).astype("float32")
        n = len(X)
        w = np.concatenate([w0 / w0.sum(), w1 / w1.sum()]) * n / 2  # class-balanced, mean 1
        fit_kw = {}
        if validation > 0:
            order = np.random.default_rng(seed).permutation(n)
            n_val = int(round(validation * n))
            val, order = order[:n_val], order[n_val:]
            fit_kw = dict(
                validation_data=(X[val], y[val], w[val].astype("float32")),
                callbacks=[keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)],
            )
            X, y, w = X[order], y[order], w[order]
        preds = []
        for e in range(self.n_ensemble):
            keras.utils.set_random_seed(seed + e)
            if not (self.warm_start and e < len(self.models)):
                model = self.build(self.n_features)
                if e < len(self.models):
                    self.models[e] = model
                else:
                    self.models.append(model)
            model = self.models[e]
            hist = model.fit(
                X,
                y,
                sample_weight=w.astype("float32"),
                epochs=epochs,
                batch_size=batch_size,
                shuffle=True,
                verbose=verbose,
                **fit_kw,
            )
            preds.append(model.predict(x_eval.astype("float32"), batch_size=4 * batch_size, verbose=0)[:, 0])
        p = np.clip(np.mean(preds, axis=0), clip, 1 - clip)
        return p / (1 - p), hist.history["loss"][-1]


def multifold(
    gen,
    reco,
    data,
    *,
    pass_gen=None,
    pass_reco=None,
    mc_weights=None,
    data_weights=None,
    n_iterations: int = 3,
    epochs: int = 10,
    batch_size: int = 512,
    n_ensemble: int = 1,
    warm_start: bool = True,
    clip: float = 1e-4,
    build: Callable | None = None,
    seed: int = 0,
    verbose: int = 0,
    normalise: bool = True,
    validation: float = 0.0,
    patience: int = 3,
    monitor: Mapping[str, Callable] | None = None,
    tolerance: float = 0.5,
    stop_on_convergence: bool = False,
) -> OmniFoldResult:
    """Unfold ``data`` (detector level) with the simulation (``gen``, ``reco``) by MultiFold.

    ``gen``: (n_mc,) or (n_mc, d_gen), NaN where there is no particle-level event (fakes);
    ``reco``: (n_mc, d_reco), NaN where the event was not reconstructed; ``data``: (n_data, d_reco).
    ``normalise``: rescale each step's ratio so that the reweighted total equals its target's
    (the reconstructed total for step 1, the pulled particle-level total for step 2) — what a
    perfectly calibrated classifier would give; without it, the totals drift with the classifiers'
    errors. ``validation``/``patience``: early stopping on a held-out share (see ``Reweighter``).
    Masks default to "not NaN". With explicit masks, NaN inside a passing event marks an absent
    feature (e.g. no second jet): the standardiser puts it at the feature's median, so give the
    network a 0/1 "present" feature beside it; ±inf in a passing event is an error.

    ``mc_weights`` may be negative (NLO samples); every total they enter must stay positive, and a
    :class:`NegativeWeightWarning` names a feature's quantile bin whose net weight is not positive.

    Convergence: every particle-level feature (``gen[j]``) and every derived observable in
    ``monitor`` (name → function of the (n, d_gen) particle-level array) is histogrammed in 10
    quantile bins of the prior after each iteration; its change is the largest bin change in units
    of the bin's statistical error √Σw². Criterion: converged when, in the last iteration, no
    monitored observable changed by more than ``tolerance`` (default 0.5 σ_stat); otherwise a
    :class:`ConvergenceWarning` names the observables. ``stop_on_convergence`` ends the iterations
    as soon as the criterion holds. Returns push and pull weights for every iteration.
    """
    gen, reco, data = _as_2d(gen, "gen"), _as_2d(reco, "reco"), _as_2d(data, "data")
    n = len(gen)
    if len(reco) != n:
        raise ValueError(f"gen has {n} events but reco has {len(reco)}: they must be the same simulated events")
    if reco.shape[1] != data.shape[1]:
        raise ValueError(f"reco has {reco.shape[1]} features but data has {data.shape[1]}")
    if len(data) == 0:
        raise ValueError("data has no events: there is nothing to unfold")
    if np.any(np.isinf(data)) or np.any(np.isnan(data).all(axis=1)):
        bad = np.isinf(data).any(axis=1) | np.isnan(data).all(axis=1)
        raise ValueError(
            f"data must be finite: {int(bad.sum())} event(s) have ±inf or only NaN (first at event "
            f"{np.flatnonzero(bad)[0]}) (detector-level events always have values; NaN may only "
            "mark an absent feature of an event that has others)"
        )
    pass_gen = ~np.isnan(gen).any(axis=1) if pass_gen is None else np.asarray(pass_gen, bool)
    pass_reco = ~np.isnan(reco).any(axis=1) if pass_reco is None else np.asarray(pass_reco, bool)
    if pass_gen.shape != (n,) or pass_reco.shape != (n,):
        raise ValueError("pass_gen and pass_reco must be boolean arrays with one entry per MC event")
    if not pass_reco.any() or not pass_gen.any():
        raise ValueError("the simulation needs events that pass reco and events that pass gen")
    both = pass_gen & pass_reco
    if not both.any():
        raise ValueError(
            "no simulated event passes both reconstruction and generation: the response (and "
            "step 2) has nothing to learn from"
        )
    _reject_infinite(reco, pass_reco, "reco", "passing reconstruction")
    _reject_infinite(gen, pass_gen, "gen", "passing generation")
    if n_iterations < 1 or epochs < 1 or n_ensemble < 1:
        raise ValueError(
            f"n_iterations, epochs and n_ensemble must be >= 1, got {n_iterations}, {epochs}, {n_ensemble}"
        )
    if not 0 < clip < 0.5:
        raise ValueError(f"clip must lie in (0, 0.5), got {clip}")
    if not 0 <= validation < 1:
        raise ValueError(f"validation must lie in [0, 1), got {validation}")
    w_mc = _check_weights(mc_weights, n, "mc_weights", allow_negative=True)
    w_data = _check_weights(data_weights, len(data), "data_weights")
    if not w_data.sum() > 0:
        raise ValueError(f"data_weights sum to {w_data.sum():g}: no data event carries weight")
    _positive_total(w_mc, pass_reco, "mc_weights", "reconstructed events")
    _positive_total(w_mc, pass_gen, "mc_weights", "particle-level events")
    _positive_total(w_mc, both, "mc_weights", "events passing both levels")
    _warn_negative_regions(reco, w_mc, pass_reco, "mc_weights", "reco")
    _warn_negative_regions(gen, w_mc, pass_gen, "mc_weights", "gen")

    monitored = {f"gen[{j}]": gen[pass_gen, j] for j in range(gen.shape[1])}
    for name, fn in (monitor or {}).items():
        v = np.asarray(fn(gen[pass_gen]), float)
        if v.shape != (int(pass_gen.sum()),):
            raise ValueError(
                f"monitor {name!r} returned shape {v.shape}, expected ({int(pass_gen.sum())},) — one "
                "value per particle-level event"
            )
        monitored[name] = v
    mon_edges = {}
    for name, v in monitored.items():
        ok = np.isfinite(v)
        mon_edges[name] = np.unique(np.quantile(v[ok], np.linspace(0, 1, 11))) if ok.sum() > 10 else None

    s_reco, s_gen = Standardiser.fit(reco[pass_reco]), Standardiser.fit(gen[pass_gen])
    xr, xg, xd = s_reco(reco), s_gen(gen), s_reco(data)
    step1 = Reweighter(reco.shape[1], build, n_ensemble, warm_start)
    step1b = Reweighter(gen.shape[1], build, n_ensemble, warm_start)
    step2 = Reweighter(gen.shape[1], build, n_ensemble, warm_start)
    missing = pass_gen & ~pass_reco
    stop = dict(validation=validation, patience=patience)
    push = np.ones(n)
    pushes, pulls, history = [], [], []
    changes = {name: [] for name in monitored}
    converged = None
    for it in range(n_iterations):
        r1, loss1 = step1.ratio(
            xr[pass_reco],
            (w_mc * push)[pass_reco],
            xd,
            w_data,
            xr[pass_reco],
            epochs=epochs,
            batch_size=batch_size,
            seed=seed + 1000 * it,
            clip=clip,
            verbose=verbose,
            **stop,
        )
        if it == 0:
            _warn_if_nothing_learned(r1, loss1, (w_mc * push)[pass_reco], "iteration 1, step 1 (data vs simulation)")
        if normalise:
            base = (w_mc * push)[pass_reco]
            r1 = r1 * base.sum() / (base @ r1)
        pull = push.copy()
        pull[pass_reco] = push[pass_reco] * r1
        pull[~pass_gen] = 1.0  # fakes: background from the simulation
        if missing.any():
            r1b, _ = step1b.ratio(
                xg[both],
                (w_mc * push)[both],
                xg[both],
                (w_mc * pull)[both],
                xg[missing],
                epochs=epochs,
                batch_size=batch_size,
                seed=seed + 1000 * it + 250,
                clip=clip,
                verbose=verbose,
                **stop,
            )
            pull[missing] = push[missing] * r1b
        r2, loss2 = step2.ratio(
            xg[pass_gen],
            (w_mc * push)[pass_gen],
            xg[pass_gen],
            (w_mc * pull)[pass_gen],
            xg[pass_gen],
            epochs=epochs,
            batch_size=batch_size,
            seed=seed + 1000 * it + 500,
            clip=clip,
            verbose=verbose,
            **stop,
        )
        if normalise:
            base = (w_mc * push)[pass_gen]
            r2 = r2 * (w_mc * pull)[pass_gen].sum() / (base @ r2)
        new_push = np.ones(n)  # fakes stay at their MC weight
        new_push[pass_gen] = push[pass_gen] * r2
        for name, arr in (("pull", pull), ("push", new_push)):
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise FloatingPointError(f"iteration {it + 1}: {name} weights are not finite and non-negative")
        w_old, w_new = (w_mc * push)[pass_gen], (w_mc * new_push)[pass_gen]
        for name, v in monitored.items():
            e = mon_edges[name]
            changes[name].append(_binned_change(v, w_old, w_new, e) if e is not None and len(e) > 2 else 0.0)
        push = new_push
        pulls.append(w_mc * pull)
        pushes.append(w_mc * push)
        last = {name: c[-1] for name, c in changes.items()}
        history.append({"iteration": it + 1, "step1_loss": float(loss1), "step2_loss": float(loss2)})
        converged = all(c <= tolerance for c in last.values())
        if stop_on_convergence and converged:
            break
    if not converged:
        slow = sorted(((round(v[-1], 2), k) for k, v in changes.items() if v[-1] > tolerance), reverse=True)
        more = f" and {len(slow) - 5} more" if len(slow) > 5 else ""
        slow = {k: c for c, k in slow[:5]}
        warnings.warn(
            f"not converged after {len(pushes)} iteration(s): the last iteration still moved {slow}{more} "
            f"(largest bin change in units of its statistical error; tolerance {tolerance}): "
            "run more iterations",
            ConvergenceWarning,
            stacklevel=2,
        )
    return OmniFoldResult(
        push=np.array(pushes),
        pull=np.array(pulls),
        pass_gen=pass_gen,
        pass_reco=pass_reco,
        history=history,
        convergence={k: np.array(v) for k, v in changes.items()},
        converged=converged,
    )


def _warn_if_nothing_learned(r, loss, w, what, loss_tol=2e-3, spread_tol=0.02):
    """Criterion: the final (class-balanced) loss within ``loss_tol`` of ln 2 — a constant guess —
    and the weighted spread of the ratio below ``spread_tol``."""
    w = np.abs(w)
    m = np.average(r, weights=w)
    spread = float(np.sqrt(np.average((r - m) ** 2, weights=w)) / m)
    if abs(loss - LN2) < loss_tol and spread < spread_tol:
        warnings.warn(
            f"{what}: the classifier learned nothing (final loss {loss:.4f} ≈ ln 2 = {LN2:.4f}, weights "
            f"1 ± {spread:.4f}): the result equals the prior — either the samples are indistinguishable "
            "in these features or the training failed (inputs' scale, epochs, learning rate)",
            LearnedNothingWarning,
            stacklevel=3,
        )

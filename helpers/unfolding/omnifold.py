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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np


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


def _check_weights(w, n, name):
    if w is None:
        return np.ones(n)
    w = np.asarray(w, float)
    if w.shape != (n,):
        raise ValueError(f"{name} have shape {w.shape}, expected ({n},)")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise ValueError(f"{name} must be finite and non-negative; {bad.sum()} are not (first: {w[bad][0]!r})")
    return w


@dataclass
class Standardiser:
    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, x):
        mean = np.nanmean(x, axis=0)
        std = np.nanstd(x, axis=0)
        return cls(mean, np.where(std > 0, std, 1.0))

    def __call__(self, x):
        return np.nan_to_num((x - self.mean) / self.std)


@dataclass
class OmniFoldResult:
    """``push[k]`` and ``pull[k]``: per-event weights (MC weights included) after iteration k+1.
    Particle-level results use ``push[k][pass_gen]`` on ``gen[pass_gen]``."""

    push: np.ndarray
    pull: np.ndarray
    pass_gen: np.ndarray
    pass_reco: np.ndarray
    history: list = field(default_factory=list)

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

    def ratio(self, x0, w0, x1, w1, x_eval, *, epochs, batch_size, seed, clip, verbose=0,
              validation: float = 0.0, patience: int = 3):
        """Likelihood ratio p/(1−p) of sample 1 over sample 0 at ``x_eval``. With ``validation`` > 0,
        that share of the (shuffled) events is held out and training stops when their weighted loss
        has not improved for ``patience`` epochs, keeping the best weights."""
        import keras

        X = np.concatenate([x0, x1]).astype("float32")
        y = np.concatenate([np.zeros(len(x0)), np.ones(len(x1))]).astype("float32")
        n = len(X)
        w = np.concatenate([w0 / w0.sum(), w1 / w1.sum()]) * n / 2          # class-balanced, mean 1
        fit_kw = {}
        if validation > 0:
            order = np.random.default_rng(seed).permutation(n)
            n_val = int(round(validation * n))
            val, order = order[:n_val], order[n_val:]
            fit_kw = dict(validation_data=(X[val], y[val], w[val].astype("float32")),
                          callbacks=[keras.callbacks.EarlyStopping(patience=patience, restore_best_weights=True)])
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
            hist = model.fit(X, y, sample_weight=w.astype("float32"), epochs=epochs, batch_size=batch_size,
                             shuffle=True, verbose=verbose, **fit_kw)
            preds.append(model.predict(x_eval.astype("float32"), batch_size=4 * batch_size, verbose=0)[:, 0])
        p = np.clip(np.mean(preds, axis=0), clip, 1 - clip)
        return p / (1 - p), hist.history["loss"][-1]


def multifold(gen, reco, data, *, pass_gen=None, pass_reco=None, mc_weights=None, data_weights=None,
              n_iterations: int = 3, epochs: int = 10, batch_size: int = 512, n_ensemble: int = 1,
              warm_start: bool = True, clip: float = 1e-4, build: Callable | None = None,
              seed: int = 0, verbose: int = 0, normalise: bool = True, validation: float = 0.0,
              patience: int = 3) -> OmniFoldResult:
    """Unfold ``data`` (detector level) with the simulation (``gen``, ``reco``) by MultiFold.

    ``gen``: (n_mc,) or (n_mc, d_gen), NaN where there is no particle-level event (fakes);
    ``reco``: (n_mc, d_reco), NaN where the event was not reconstructed; ``data``: (n_data, d_reco).
    ``normalise``: rescale each step's ratio so that the reweighted total equals its target's
    (the reconstructed total for step 1, the pulled particle-level total for step 2) — what a
    perfectly calibrated classifier would give; without it, the totals drift with the classifiers'
    errors. ``validation``/``patience``: early stopping on a held-out share (see ``Reweighter``).
    Masks default to "not NaN". With explicit masks, NaN inside a passing event marks an absent
    feature (e.g. no second jet): the standardiser puts it at the feature's mean, so give the
    network a 0/1 "present" feature beside it. Returns push and pull weights for every iteration.
    """
    gen, reco, data = _as_2d(gen, "gen"), _as_2d(reco, "reco"), _as_2d(data, "data")
    n = len(gen)
    if len(reco) != n:
        raise ValueError(f"gen has {n} events but reco has {len(reco)}: they must be the same simulated events")
    if reco.shape[1] != data.shape[1]:
        raise ValueError(f"reco has {reco.shape[1]} features but data has {data.shape[1]}")
    if np.any(np.isinf(data)) or np.any(np.isnan(data).all(axis=1)):
        raise ValueError("data must be finite (detector-level events always have values; NaN may only mark "
                         "an absent feature of an event that has others)")
    pass_gen = ~np.isnan(gen).any(axis=1) if pass_gen is None else np.asarray(pass_gen, bool)
    pass_reco = ~np.isnan(reco).any(axis=1) if pass_reco is None else np.asarray(pass_reco, bool)
    if pass_gen.shape != (n,) or pass_reco.shape != (n,):
        raise ValueError("pass_gen and pass_reco must be boolean arrays with one entry per MC event")
    if not pass_reco.any() or not pass_gen.any():
        raise ValueError("the simulation needs events that pass reco and events that pass gen")
    if n_iterations < 1 or epochs < 1 or n_ensemble < 1:
        raise ValueError(f"n_iterations, epochs and n_ensemble must be >= 1, got {n_iterations}, {epochs}, {n_ensemble}")
    if not 0 < clip < 0.5:
        raise ValueError(f"clip must lie in (0, 0.5), got {clip}")
    w_mc = _check_weights(mc_weights, n, "mc_weights")
    w_data = _check_weights(data_weights, len(data), "data_weights")

    s_reco, s_gen = Standardiser.fit(reco[pass_reco]), Standardiser.fit(gen[pass_gen])
    xr, xg, xd = s_reco(reco), s_gen(gen), s_reco(data)
    step1 = Reweighter(reco.shape[1], build, n_ensemble, warm_start)
    step1b = Reweighter(gen.shape[1], build, n_ensemble, warm_start)
    step2 = Reweighter(gen.shape[1], build, n_ensemble, warm_start)
    both = pass_gen & pass_reco
    missing = pass_gen & ~pass_reco
    if not 0 <= validation < 1:
        raise ValueError(f"validation must lie in [0, 1), got {validation}")
    stop = dict(validation=validation, patience=patience)
    push = np.ones(n)
    pushes, pulls, history = [], [], []
    for it in range(n_iterations):
        r1, loss1 = step1.ratio(xr[pass_reco], (w_mc * push)[pass_reco], xd, w_data, xr[pass_reco],
                                epochs=epochs, batch_size=batch_size, seed=seed + 1000 * it, clip=clip, verbose=verbose, **stop)
        if normalise:
            base = (w_mc * push)[pass_reco]
            r1 = r1 * base.sum() / (base @ r1)
        pull = push.copy()
        pull[pass_reco] = push[pass_reco] * r1
        pull[~pass_gen] = 1.0                         # fakes: background from the simulation
        if missing.any():
            r1b, _ = step1b.ratio(xg[both], (w_mc * push)[both], xg[both], (w_mc * pull)[both], xg[missing],
                                  epochs=epochs, batch_size=batch_size, seed=seed + 1000 * it + 250,
                                  clip=clip, verbose=verbose, **stop)
            pull[missing] = push[missing] * r1b
        r2, loss2 = step2.ratio(xg[pass_gen], (w_mc * push)[pass_gen], xg[pass_gen], (w_mc * pull)[pass_gen],
                                xg[pass_gen], epochs=epochs, batch_size=batch_size, seed=seed + 1000 * it + 500,
                                clip=clip, verbose=verbose, **stop)
        if normalise:
            base = (w_mc * push)[pass_gen]
            r2 = r2 * (w_mc * pull)[pass_gen].sum() / (base @ r2)
        new_push = np.ones(n)                        # fakes stay at their MC weight
        new_push[pass_gen] = push[pass_gen] * r2
        for name, arr in (("pull", pull), ("push", new_push)):
            if not np.all(np.isfinite(arr)) or np.any(arr < 0):
                raise FloatingPointError(f"iteration {it + 1}: {name} weights are not finite and non-negative")
        push = new_push
        pulls.append(w_mc * pull)
        pushes.append(w_mc * push)
        history.append({"iteration": it + 1, "step1_loss": float(loss1), "step2_loss": float(loss2)})
    return OmniFoldResult(push=np.array(pushes), pull=np.array(pulls), pass_gen=pass_gen, pass_reco=pass_reco,
                          history=history)

"""Benchmark: one MultiFold iteration on 200,000 events × 24 features, ours against the PyPI
``omnifold`` package (Komiske, Metodiev, Nachman, Thaler et al.), same network and epochs.

    python -m helpers.unfolding.benchmark                      # 200,000 events, 2 epochs
    python -m helpers.unfolding.benchmark --n 20000 --epochs 1 # a quick look

Both use the PyPI package's default network (dense 64-128-64, GELU); ours ends in a sigmoid, the
package's in a logit with a sigmoid cross-entropy, which is the same model. The package splits off
20 % for validation and uses early stopping and checkpoints; ours trains on everything. The
ratio of wall times is what travels between machines.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

import numpy as np


def toy_events(n: int, d: int = 24, seed: int = 0):
    """A d-dimensional correlated Gaussian toy; data differ from the simulation in mean and width."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=(d, d)) / np.sqrt(d)
    gen = rng.normal(size=(n, d)) @ a
    reco = gen + 0.5 * rng.normal(size=(n, d))
    truth = (rng.normal(size=(n, d)) * 0.9 + 0.1) @ a
    data = truth + 0.5 * rng.normal(size=(n, d))
    return gen, reco, data


def pypi_network(n_features: int, sigmoid: bool):
    import keras

    inputs = keras.Input((n_features,))
    h = inputs
    for size in (64, 128, 64):
        h = keras.layers.Dense(size, activation="gelu")(h)
    out = keras.layers.Dense(1, activation="sigmoid" if sigmoid else None)(h)
    model = keras.Model(inputs, out)
    if sigmoid:
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    return model


def run_ours(gen, reco, data, epochs, batch_size):
    from helpers.unfolding.omnifold import multifold

    t0 = time.perf_counter()
    multifold(
        gen,
        reco,
        data,
        n_iterations=1,
        epochs=epochs,
        batch_size=batch_size,
        build=lambda n: pypi_network(n, sigmoid=True),
    )
    return time.perf_counter() - t0


def run_pypi(gen, reco, data, epochs, batch_size):
    import keras
    from omnifold import DataLoader, MultiFold
    from omnifold.net import weighted_binary_crossentropy

    mc = DataLoader(reco=reco, gen=gen, normalize=True)
    dl = DataLoader(reco=data, normalize=True)
    with tempfile.TemporaryDirectory() as tmp:
        cwd = os.getcwd()
        os.chdir(tmp)
        try:
            t0 = time.perf_counter()
            of = MultiFold(
                "bench",
                pypi_network(gen.shape[1], False),
                pypi_network(gen.shape[1], False),
                dl,
                mc,
                niter=1,
                epochs=epochs,
                batch_size=batch_size,
                lr=1e-3,
                early_stop=1000,
                verbose=False,
            )
            # omnifold 0.1.36 reloads its checkpoints with a custom loss that Keras 3 must be told about
            with keras.saving.custom_object_scope({"weighted_binary_crossentropy": weighted_binary_crossentropy}):
                of.Unfold()
            return time.perf_counter() - t0
        finally:
            os.chdir(cwd)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200_000)
    ap.add_argument("--features", type=int, default=24)
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=1024)
    args = ap.parse_args(argv)
    gen, reco, data = toy_events(args.n, args.features)
    t_ours = run_ours(gen, reco, data, args.epochs, args.batch_size)
    print(f"ours:  one iteration, {args.n} × {args.features}, {args.epochs} epochs: {t_ours:.1f} s")
    try:
        t_pypi = run_pypi(gen, reco, data, args.epochs, args.batch_size)
    except ImportError:
        print("PyPI omnifold is not installed (pip install omnifold==0.1.36): no comparison")
        return 0
    print(f"PyPI omnifold 0.1.36:                          {t_pypi:.1f} s")
    print(f"ratio ours / PyPI = {t_ours / t_pypi:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Scoring one trained model on many versions of its test galaxies, and summarising over repeats.

A *probe* is a function that turns the raw test cutouts (fluxes) into the images the network is
shown: e.g. shrink to 1/5 and enlarge back bilinearly, then stretch. ``run_repeats`` (chapter 3)
trains one model per repeat and calls :func:`probe_evaluator`'s closure on it, so every factor and
every method is scored by the same trained models — the comparison between them is paired.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from helpers.stats import summarize

Probe = Callable[[np.ndarray], np.ndarray]


def probe_accuracies(
    model, raw: np.ndarray, y: np.ndarray, probes: Mapping[str, Probe], batch_size: int = 1024
) -> dict[str, float]:
    """Accuracy of ``model`` on ``probe(raw)`` for every named probe.

    The probes' images are predicted together — one ``model.predict`` per image shape, in batches
    of ``batch_size`` — instead of one call per probe (each call has a fixed cost that, over the
    dozens of probes of chapter 4, exceeds the cost of the predictions themselves)."""
    y = np.asarray(y)
    if len(raw) != y.size:
        raise ValueError(f"{len(raw)} test images but {y.size} labels")
    images = {}
    for name, probe in probes.items():
        x = np.asarray(probe(raw))
        if len(x) != y.size:
            raise ValueError(f"probe {name!r} returned {len(x)} images for {y.size} inputs")
        images[name] = x
    out = {}
    for shape in dict.fromkeys(x.shape[1:] for x in images.values()):
        names = [n for n, x in images.items() if x.shape[1:] == shape]
        p = np.argmax(
            model.predict(np.concatenate([images[n] for n in names]), batch_size=batch_size, verbose=0), axis=1
        )
        for k, n in enumerate(names):
            out[n] = float(np.mean(p[k * y.size : (k + 1) * y.size] == y))
    return {n: out[n] for n in probes}


def probe_evaluator(raw: np.ndarray, y: np.ndarray, probes: Mapping[str, Probe]):
    """``evaluate(model, test_positions)`` for ``run_repeats``: accuracies of every probe on the
    repeat's own test galaxies (positions index ``raw`` and ``y``)."""
    raw, y = np.asarray(raw), np.asarray(y)
    if len(raw) != y.size:
        raise ValueError(f"{len(raw)} raw images but {y.size} labels")
    return lambda model, te: probe_accuracies(model, raw[te], y[te], probes)


def summarise_probes(evaluations: list[Mapping[str, float]]) -> dict[str, dict[str, float]]:
    """{probe: mean, std, sem, n, min, max} over repeats."""
    if len(evaluations) < 2:
        raise ValueError(f"need at least 2 repeats to summarise, got {len(evaluations)}")
    names = list(evaluations[0])
    if any(set(e) != set(names) for e in evaluations):
        raise ValueError("every repeat must score the same probes")
    return {n: summarize([e[n] for e in evaluations]) for n in names}


def paired_difference(evaluations: list[Mapping[str, float]], a: str, b: str) -> dict[str, float]:
    """Mean ± std ± s.e. over repeats of accuracy(a) − accuracy(b), scored by the same models."""
    return summarize([e[a] - e[b] for e in evaluations])


def degradation_probes(
    *, factors=None, methods=None, thesis: bool = True, renoised: bool = True, sigma: float | None = None, seed: int = 0
) -> dict[str, Probe]:
    """The probes of the degradation curves, on raw SDSS cutouts, each ending in ``prepare``:

    * ``"original"``: the test images as they are;
    * ``"{method}/{factor}"`` (``thesis``): shrunk and enlarged back, as the thesis did;
    * ``"{method}+noise/{factor}"`` (``renoised``): the same, then white noise added until the
      per-pixel noise is the SDSS noise ``sigma`` again (``restore_noise``), with a generator seeded
      by (seed, factor, method) so that every call makes the same images.
    """
    from helpers.galaxies.resolution import FACTORS, METHODS, degrade, restore_noise
    from helpers.galaxies.samples import prepare
    from helpers.galaxies.sky import constants as C

    factors = FACTORS if factors is None else tuple(factors)
    methods = METHODS if methods is None else tuple(methods)
    sigma = C.SDSS.sigma_pixel if sigma is None else sigma

    def plain(f, m):
        return lambda raw: prepare(degrade(raw, f, m))

    def noisy(f, m):
        def run(raw):
            rng = np.random.default_rng([seed, int(f), METHODS.index(m)])
            return prepare(restore_noise(degrade(raw, f, m), sigma, f, m, rng))

        return run

    probes: dict[str, Probe] = {"original": prepare}
    if thesis:
        probes.update({f"{m}/{f}": plain(f, m) for m in methods for f in factors})
    if renoised:
        probes.update({f"{m}+noise/{f}": noisy(f, m) for m in methods for f in factors})
    return probes

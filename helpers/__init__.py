"""Shared helpers for physml-book, organised by domain (README.md has a chapter → notebooks →
modules table):

- :mod:`helpers.pipeline`   the runner, book builder, regression check, metrics files, cache, seeds
- :mod:`helpers.nn`         chapter 1's from-scratch pieces, gradient checks, Grad-CAM, the training loop
- :mod:`helpers.stats`      summaries over repeats, rejection at efficiency, confusion matrix, TPR, TSS
- :mod:`helpers.plotting`   the book's plotting style
- :mod:`helpers.sources`    where each constant comes from: the registries behind the "Sources and assumptions" pages
- :mod:`helpers.gaps`       chapter 2: the GAPS tracker simulator, data sets, features, models
- :mod:`helpers.galaxies`   chapters 3–4: the synthetic sky, the thesis's CNN, samples, degradation
- :mod:`helpers.unfolding`  chapter 5: toys, IBU, OmniFold, metrics, analysis, the weight release
- :mod:`helpers.zjets`      chapter 5: Pythia 8 Z → μμ + jets events, observables, detector
"""

__version__ = "0.1.0"

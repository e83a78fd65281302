"""Shared helpers for physml-book.

Modules, one job each:

- :mod:`helpers.repro`     seeds and thread counts (one call makes a run repeatable)
- :mod:`helpers.backend`   the few Keras-backend-specific calls, isolated
- :mod:`helpers.notebook`  the start/finish of every notebook (seed, timer, metrics JSON)
- :mod:`helpers.metrics`   metrics JSON files and summary statistics over repeats
- :mod:`helpers.cache`     parameter-keyed, atomic, checksummed on-disk cache for generated data
- :mod:`helpers.training`  repeated Keras trainings with per-epoch histories
- :mod:`helpers.plotting`  the book's plotting style
- :mod:`helpers.run`       the papermill runner with smoke / book / paper profiles
- :mod:`helpers.book`      builds the Jupyter Book from executed notebooks
- :mod:`helpers.ch01` …    chapter-specific data and plotting plumbing
"""

__version__ = "0.1.0"

"""Chapter 5 (OmniFold): toys, binned IBU, unbinned MultiFold, unfolding metrics, the Z+jets
analysis and the published table of per-event weights.

- :mod:`.toys`       Gaussian toys with smearing, inefficiency and fakes (1-D and correlated 2-D)
- :mod:`.ibu`        response matrix with efficiency and fakes; D'Agostini iterative Bayesian unfolding
- :mod:`.omnifold`   MultiFold (OmniFold on several observables at once) with Keras classifiers
- :mod:`.metrics`    triangular discriminator, χ² with covariance, weighted Wasserstein, bootstraps
- :mod:`.analysis`   MultiFold on the Z+jets samples, the release's replicas and variations, IBU per observable
- :mod:`.release`    writing the weight table and reading it (ours or ATLAS's layout) into hist histograms
- :mod:`.plots`      comparison plots and the per-observable grids (mplhep's collider style)
- :mod:`.benchmark`  ours against the PyPI ``omnifold`` package
"""

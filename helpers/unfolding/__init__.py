"""Chapter 5 (OmniFold): toys, binned IBU, unbinned MultiFold, and unfolding metrics.

- :mod:`.toys`      Gaussian toys with smearing, inefficiency and fakes (1-D and correlated 2-D)
- :mod:`.ibu`       response matrix with efficiency and fakes; D'Agostini iterative Bayesian unfolding
- :mod:`.omnifold`  MultiFold (OmniFold on several observables at once) with Keras classifiers
- :mod:`.metrics`   triangular discriminator, χ² with covariance, weighted Wasserstein, bootstraps
"""

"""Chapter 2 (GAPS): a fast Monte Carlo of antiproton and antideuteron events in a 10-layer
Si(Li) tracker of 12×12 detectors, standing in for the study's Geant4 data set.

- :mod:`.constants`  every number of the model, with its source
- :mod:`.physics`    Bethe–Bloch, range tables, straggling, Landau sampling, X-ray attenuation
- :mod:`.geometry`   the tracker: layers, detector positions, which detector a point is in
- :mod:`.simulate`   vectorised event generation, detector response, cached data sets
"""

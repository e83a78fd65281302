"""Chapter 2 (GAPS): a fast Monte Carlo of antiproton and antideuteron events in a 10-layer
Si(Li) tracker of 12×12 detectors, standing in for the study's Geant4 data set.

- :mod:`.constants`   every number of the model, with its source (``SOURCES``)
- :mod:`.physics`     Bethe–Bloch, range tables, straggling, Landau sampling, XCOM X-ray interactions
- :mod:`.geometry`    the tracker: layers, detector positions, which detector a point is in
- :mod:`.simulate`    vectorised event generation (primary spectra, annihilation, X-rays), detector response
- :mod:`.data`        cached data sets per species, incidence and spectrum; network inputs; splits
- :mod:`.features`    physics features of an event and its energy-loss profile (the baselines)
- :mod:`.models`      the 3-D and 2-D CNNs
- :mod:`.experiment`  repeated trainings with test-set figures of merit
- :mod:`.benchmark`   accepted events per second
"""

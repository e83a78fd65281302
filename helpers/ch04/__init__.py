"""Chapter 4: resolution differences — degrading test images, repeated trainings scored at every
degradation, cross-instrument (HSC-like → SDSS-like) experiments."""

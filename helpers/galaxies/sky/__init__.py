"""Synthetic sky for chapters 3 and 4: SDSS-like and HSC-like cutouts of the same galaxies with
Galaxy Zoo 1–style votes.

Modules: ``constants`` (survey and population numbers with sources), ``population`` (the true
catalogue), ``render`` (GalSim drawing and PSF matching), ``votes`` (volunteers, debiasing, flags),
``measure`` (PSF size and arm signal measured on images), ``data`` (cached loaders, GZ1 reader),
``plots`` (the asinh display of a cutout), ``benchmark`` (galaxies per second).
"""

"""Z → μμ + jets events for chapter 5: Pythia 8 generation (`generate`), track jets and the 24
ATLAS observables (`observables`), a parametric detector (`detector`), cached samples (`data`)."""

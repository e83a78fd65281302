"""Chapters 3 and 4, galaxy morphology: the synthetic SDSS/HSC sky with Galaxy Zoo 1–style votes
(``sky``), the thesis's CNN (``models``), training samples and preprocessing (``samples``),
repeated trainings on reshuffled samples (``experiment``), shrinking and enlarging images
(``resolution``), scoring models on degraded test images (``probes``), interpolation timing
(``timing``) and figures (``plots``)."""

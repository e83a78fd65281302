"""Chapter 3: Galaxy Zoo labels. ``models`` (the thesis's CNN), ``data`` (samples from the
synthetic sky, splits, preprocessing), ``experiment`` (repeated trainings with reshuffled splits,
per-epoch test predictions, epoch selection, scores)."""

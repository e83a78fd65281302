"""The GAPS-like tracker: 10 layers of 12 × 12 Si(Li) disks.

Coordinates in cm: x, y horizontal with the tracker centred on 0, z vertical and upwards. Layer
k's silicon occupies z ∈ [−k·spacing − thickness, −k·spacing]; layer 0 is the top. A detector
cell is (layer, i, j) with i along x and j along y, flattened as ``layer·n² + i·n + j``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from helpers.gaps import constants as C


@dataclass(frozen=True)
class Tracker:
    n_layers: int = C.N_LAYERS
    n_xy: int = C.N_XY
    pitch: float = C.PITCH_CM
    spacing: float = C.LAYER_SPACING_CM
    radius: float = C.RADIUS_CM
    thickness: float = C.THICKNESS_CM

    def __post_init__(self):
        for name in ("n_layers", "n_xy"):
            v = getattr(self, name)
            if not isinstance(v, (int, np.integer)) or v < 1:
                raise ValueError(f"Tracker.{name} must be a positive integer, got {v!r}")
        for name in ("pitch", "spacing", "radius", "thickness"):
            v = getattr(self, name)
            if not (isinstance(v, (int, float)) and np.isfinite(v) and v > 0):
                raise ValueError(f"Tracker.{name} must be a positive length in cm, got {v!r}")
        if 2 * self.radius > self.pitch:
            raise ValueError(f"detectors overlap: diameter {2 * self.radius} cm > pitch {self.pitch} cm")
        if self.thickness >= self.spacing:
            raise ValueError(f"thickness {self.thickness} cm must be below the layer spacing {self.spacing} cm")

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def half_width(self) -> float:
        return self.n_xy * self.pitch / 2

    @property
    def n_cells(self) -> int:
        return self.n_layers * self.n_xy**2

    @property
    def fill_factor(self) -> float:
        """Fraction of a layer's area covered by silicon."""
        return np.pi * self.radius**2 / self.pitch**2

    def centres(self) -> np.ndarray:
        return (np.arange(self.n_xy) - (self.n_xy - 1) / 2) * self.pitch

    def layer_top(self, k):
        return -np.asarray(k, float) * self.spacing

    def layer_mid(self, k):
        return self.layer_top(k) - self.thickness / 2

    def detector_at(self, x, y):
        """(i, j, inside): the nearest detector's indices and whether (x, y) lies on its disk."""
        x = np.asarray(x, float)
        y = np.asarray(y, float)
        i = np.rint(x / self.pitch + (self.n_xy - 1) / 2).astype(np.int64)
        j = np.rint(y / self.pitch + (self.n_xy - 1) / 2).astype(np.int64)
        ok = (i >= 0) & (i < self.n_xy) & (j >= 0) & (j < self.n_xy)
        i = np.clip(i, 0, self.n_xy - 1)
        j = np.clip(j, 0, self.n_xy - 1)
        c = self.centres()
        inside = ok & ((x - c[i]) ** 2 + (y - c[j]) ** 2 <= self.radius**2)
        return i, j, inside

    def cell(self, layer, i, j):
        return (np.asarray(layer) * self.n_xy + np.asarray(i)) * self.n_xy + np.asarray(j)

    def exit_distance(self, pos, direction, layer, i, j):
        """Path length (cm) from a point inside detector (layer, i, j) to the detector's surface
        along ``direction`` (faces or rim, whichever comes first)."""
        return np.maximum(self.segment(pos, direction, layer, i, j)[1], 0.0)

    def segment(self, pos, direction, layer, i, j):
        """Where the line pos + s·direction (s ≥ 0) runs inside detector (layer, i, j).

        Returns (s_in, s_out): the overlap of the slab between the detector's faces and the
        cylinder of its rim; s_out <= s_in means the line misses the detector.
        """
        pos = np.asarray(pos, float)
        d = np.asarray(direction, float)
        top = self.layer_top(layer)
        bottom = top - self.thickness
        dz = d[:, 2]
        with np.errstate(divide="ignore", invalid="ignore"):
            s1 = (top - pos[:, 2]) / dz
            s2 = (bottom - pos[:, 2]) / dz
        z_lo, z_hi = np.minimum(s1, s2), np.maximum(s1, s2)
        c = self.centres()
        px = pos[:, 0] - c[i]
        py = pos[:, 1] - c[j]
        a = d[:, 0] ** 2 + d[:, 1] ** 2
        b = 2 * (px * d[:, 0] + py * d[:, 1])
        c0 = px**2 + py**2 - self.radius**2
        disc = b**2 - 4 * a * c0
        with np.errstate(divide="ignore", invalid="ignore"):
            root = np.sqrt(np.maximum(disc, 0))
            r_lo = np.where(a > 0, (-b - root) / (2 * a), np.where(c0 <= 0, -np.inf, np.inf))
            r_hi = np.where(a > 0, (-b + root) / (2 * a), np.where(c0 <= 0, np.inf, -np.inf))
        r_lo = np.where((a > 0) & (disc < 0), np.inf, r_lo)
        r_hi = np.where((a > 0) & (disc < 0), -np.inf, r_hi)
        s_in = np.maximum(np.maximum(z_lo, r_lo), 0.0)
        s_out = np.minimum(z_hi, r_hi)
        return s_in, s_out

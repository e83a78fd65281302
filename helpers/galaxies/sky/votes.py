"""Galaxy Zoo 1–style volunteer votes, driven by what an SDSS image shows.

Each galaxy gets a vote-probability vector over the six GZ1 answers (elliptical, clockwise spiral,
anticlockwise spiral, edge-on spiral, star/don't know, merger). The probabilities depend on two
things a volunteer can actually see in the SDSS cutout, both computed from the true structure and
the survey's seeing and depth:

* ``arm_snr`` — the matched-filter signal-to-noise of the spiral-arm modulation, summed over annuli
  out to six disk scale lengths, after the PSF and the pixel have smoothed it (a sinusoid of wavelength
  ``lambda`` keeps ``exp(-2 pi^2 sigma^2 / lambda^2)`` of its amplitude through a Gaussian of width
  ``sigma``);
* ``q_seen`` — the axis ratio of the disk after seeing: thin disks look edge-on only when resolved.

Votes are then multinomial draws from a Dirichlet around those probabilities (volunteers disagree
more than the binomial would say). From the votes: the GZ1 columns, with the redshift debiasing and
the SPIRAL / ELLIPTICAL / UNCERTAIN flags of ``helpers.galaxies.sky.debias``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from helpers.galaxies.sky import constants as C
from helpers.galaxies.sky.debias import debias, flags  # re-exported: votes.debias / votes.flags
from helpers.galaxies.sky.population import ELLIPTICAL, SPIRAL

ANSWERS = ("EL", "CW", "ACW", "EDGE", "DK", "MG")


@dataclass(frozen=True)
class VoteModel:
    """Parameters of the volunteer model (assumptions, calibrated in chapter 3 to GZ1's flag shares)."""

    snr_half: float = 2.0  # arm S/N at which half the volunteers see arms
    snr_slope: float = 2.0  # steepness of that transition (in log S/N)
    edge_q: float = 0.42  # apparent axis ratio below which a disk reads as edge-on
    edge_width: float = 0.06
    dk_base: float = 0.13  # "star / don't know" for a well-resolved galaxy
    dk_small: float = 0.20  # extra "don't know" for a galaxy as small as the PSF
    merger: float = 0.02  # merger votes (no mergers are simulated)
    smooth_arms: float = 0.10  # spiral votes given to a smooth galaxy (seeing structure in noise)
    wrong_hand: float = 0.08  # share of spiral votes with the wrong winding direction
    concentration: float = 7.0  # Dirichlet concentration: lower = more disagreement
    votes_mean: float = 38.0  # mean number of votes per galaxy (GZ1: ~ 50e6 clicks / ~ 9e5 galaxies)
    votes_min: int = 10

    def as_dict(self) -> dict:
        return asdict(self)


def visibility(cat: dict[str, np.ndarray], survey: str = "sdss") -> dict[str, np.ndarray]:
    """``arm_snr``, ``q_seen`` and ``resolution`` (disk R50 / PSF FWHM) of each galaxy in a survey."""
    s = C.survey(survey)
    fwhm = np.asarray(cat[f"psf_{s.name}"], float)
    sig = fwhm / 2.3548
    h = cat["r50"] / 1.6783
    q = np.where(cat["type"] == ELLIPTICAL, cat["q"], cat["q_disk"])
    # integrate the matched-filter S/N over radius: (S/N)^2 = sum over annuli of a(r)^2 dN(r) / 2 / sigma^2
    x = np.linspace(0.25, 6.0, 47)[None, :]  # r / h
    hh, qd = h[:, None], cat["q_disk"][:, None]
    f_disk = ((1 - cat["bt"]) * cat["flux"])[:, None]
    sb = f_disk / (2 * np.pi * hh * hh * qd) * np.exp(-x)  # nmgy / arcsec^2
    m = np.maximum(cat["arms"], 1)[:, None]
    sin_pitch = np.sin(np.radians(np.maximum(cat["pitch_deg"], 1.0)))[:, None]
    lam = 2 * np.pi * x * hh * sin_pitch / m * np.sqrt(qd)  # across the arms
    sg = sig[:, None]
    mtf = np.exp(-2 * np.pi**2 * sg**2 / lam**2) * np.abs(np.sinc(s.pixel_scale / lam))
    amp_pix = sb * cat["arm_amp"][:, None] * (1 - np.exp(-(x**2))) * mtf * s.pixel_scale**2
    dn = 2 * np.pi * x * hh * hh * (x[0, 1] - x[0, 0]) * qd / s.pixel_scale**2  # pixels per annulus
    snr = np.sqrt((amp_pix**2 * dn / 2).sum(axis=1)) / s.sigma_pixel
    arm_snr = np.where(cat["type"] == SPIRAL, snr, 0.0)
    major = np.hypot(cat["r50"], sig)
    q_seen = np.hypot(q * cat["r50"], sig) / major
    return {"arm_snr": arm_snr, "q_seen": q_seen, "resolution": cat["r50"] / fwhm}


def vote_probabilities(cat: dict[str, np.ndarray], model: VoteModel = VoteModel()) -> np.ndarray:
    """(n, 6) probabilities of one volunteer's answer, in the order of ``ANSWERS``."""
    vis = visibility(cat, "sdss")
    gtype = cat["type"]
    # seeing arms: logistic in log S/N
    arms_seen = 1 / (1 + (model.snr_half / np.maximum(vis["arm_snr"], 1e-9)) ** model.snr_slope)
    arms_seen = np.where(gtype == SPIRAL, arms_seen, model.smooth_arms)
    disky = gtype != ELLIPTICAL
    edge = np.where(disky, 1 / (1 + np.exp((vis["q_seen"] - model.edge_q) / model.edge_width)), 0.0)
    dk = model.dk_base + model.dk_small * np.exp(-vis["resolution"])
    rest = 1 - dk - model.merger
    p_edge = rest * edge
    p_spiral = rest * (1 - edge) * arms_seen
    p_el = rest * (1 - edge) * (1 - arms_seen)
    hand = np.where(cat["chirality"] == 0, 0.0, cat["chirality"])
    share_acw = np.where(hand > 0, 1 - model.wrong_hand, np.where(hand < 0, model.wrong_hand, 0.5))
    p = np.stack(
        [p_el, p_spiral * (1 - share_acw), p_spiral * share_acw, p_edge, dk, np.full_like(dk, model.merger)], axis=1
    )
    return p / p.sum(axis=1, keepdims=True)


def draw_votes(p: np.ndarray, model: VoteModel, rng: np.random.Generator) -> np.ndarray:
    """(n, 6) integer vote counts: N ~ votes_min + Poisson, answers ~ Dirichlet-multinomial."""
    n = p.shape[0]
    nvote = model.votes_min + rng.poisson(model.votes_mean - model.votes_min, n)
    alpha = np.maximum(p * model.concentration, 1e-3)
    g = rng.gamma(alpha)
    q = g / g.sum(axis=1, keepdims=True)
    return np.stack([rng.multinomial(k, qi) for k, qi in zip(nvote, q)])


def gz1_table(cat: dict[str, np.ndarray], model: VoteModel, seed: int) -> dict[str, np.ndarray]:
    """The GZ1 catalogue columns for a synthetic catalogue (votes drawn with ``seed``)."""
    rng = np.random.default_rng(seed)
    counts = draw_votes(vote_probabilities(cat, model), model, rng)
    nvote = counts.sum(axis=1)
    frac = counts / nvote[:, None]
    out = {"NVOTE": nvote.astype(np.int32)}
    for k, name in enumerate(ANSWERS):
        out[f"P_{name}"] = frac[:, k]
    out["P_CS"] = frac[:, 1] + frac[:, 2] + frac[:, 3]
    el_d, cs_d = debias(out["P_EL"], out["P_CS"], cat["z"], cat["m_abs"], cat["r50_kpc"])
    out["P_EL_DEBIASED"], out["P_CS_DEBIASED"] = el_d, cs_d
    return {**out, **flags(el_d, cs_d)}

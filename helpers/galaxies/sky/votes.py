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
from helpers.galaxies.sky.population import ELLIPTICAL, SPIRAL, knot_layout

ANSWERS = ("EL", "CW", "ACW", "EDGE", "DK", "MG")
#: g - r halfway between the red sequence and the blue cloud (constants.G_R_RED, G_R_BLUE)
G_R_SPLIT = (C.G_R_RED[0] + C.G_R_BLUE[0]) / 2


@dataclass(frozen=True)
class VoteModel:
    """Parameters of the volunteer model (assumptions, calibrated in chapter 3 to GZ1's flag shares)."""

    snr_half: float = 1.4  # arm contrast per resolution element at which half the volunteers see arms
    snr_slope: float = 2.0  # steepness of that transition (in log S/N)
    colour_slope: float = 5.0  # odds of "spiral" x exp(colour_slope (G_R_SPLIT - g_r)): blue reads disky
    edge_q: float = 0.42  # apparent axis ratio below which a disk reads as edge-on
    edge_width: float = 0.06
    dk_base: float = 0.13  # "star / don't know" for a well-resolved galaxy
    dk_small: float = 0.20  # extra "don't know" for a galaxy as small as the PSF
    merger: float = 0.02  # merger votes (no mergers are simulated)
    smooth_arms: float = 0.15  # spiral votes given to a smooth galaxy (seeing structure in noise)
    wrong_hand: float = 0.08  # share of spiral votes with the wrong winding direction
    concentration: float = 7.0  # Dirichlet concentration: lower = more disagreement
    votes_mean: float = 38.0  # mean number of votes per galaxy (GZ1: ~ 50e6 clicks / ~ 9e5 galaxies)
    votes_min: int = 10

    def as_dict(self) -> dict:
        return asdict(self)


_ARM_X = np.linspace(0.5, 4.0, 36)  # radii r / h of the ideal matched filter
_ANNULI = np.arange(0.5, 4.0, 0.25)  # inner edges (r / h) of the annuli where the contrast is judged
_ANNULUS_WIDTH = 0.25


def _res_element(survey: C.Survey, fwhm) -> tuple[np.ndarray, np.ndarray]:
    """Pixels in one resolution element (a disk of diameter FWHM) and its diameter in pixels."""
    d_pix = np.asarray(fwhm, float) / survey.pixel_scale
    return np.pi * d_pix**2 / 4, d_pix


def visibility(cat: dict[str, np.ndarray], survey: str = "sdss") -> dict[str, np.ndarray]:
    """What a volunteer can see of each galaxy in a survey's stamp.

    ``arm_snr`` — the arm contrast per resolution element: the amplitude of the arm modulation at
    radius r after the PSF and the pixel (a sinusoid of wavelength ``lambda`` keeps
    ``exp(-2 pi^2 sigma^2 / lambda^2) sinc(pixel / lambda)`` of its amplitude), averaged over one
    resolution element (a disk of diameter FWHM, which keeps ``2 J1(u) / u`` with
    ``u = pi FWHM / lambda``) and divided by the noise of that average; the best radius counts. This
    is what the eye can pick out on the stamp, not what a matched filter over the whole galaxy
    reaches (``arm_snr_ideal``, kept for comparison). ``q_seen`` — the disk's axis ratio after
    seeing; ``resolution`` — disk R50 / PSF FWHM. Validated against the rendered images by
    ``measure.arm_snr_seen_measured``.
    """
    from scipy.special import erf, j1

    s = C.survey(survey)
    fwhm = np.asarray(cat[f"psf_{s.name}"], float)
    sig = fwhm / 2.3548
    h = cat["r50"] / 1.6783
    q = np.where(cat["type"] == ELLIPTICAL, cat["q"], cat["q_disk"])
    x = _ARM_X[None, :]  # r / h
    hh, qd = h[:, None], cat["q_disk"][:, None]
    bar_light = np.asarray(cat["bar_light"], float) * (np.asarray(cat["bar"]) == 1) if "bar" in cat else 0.0
    f_disk = ((1 - cat["bt"] - bar_light) * cat["flux"])[:, None]
    sb = f_disk / (2 * np.pi * hh * hh * qd) * np.exp(-x)  # nmgy / arcsec^2 on the sky
    m = np.maximum(cat["arms"], 1)[:, None]
    sin_pitch = np.sin(np.radians(np.maximum(cat["pitch_deg"], 1.0)))[:, None]
    lam = 2 * np.pi * x * hh * sin_pitch / m * np.sqrt(qd)  # across the arms
    sg, fw = sig[:, None], fwhm[:, None]
    mtf = np.exp(-2 * np.pi**2 * sg**2 / lam**2) * np.abs(np.sinc(s.pixel_scale / lam))
    amp_pix = sb * cat["arm_amp"][:, None] * (1 - np.exp(-(x**2))) * mtf * s.pixel_scale**2
    # matched filter over the whole disk (the ideal observer)
    dx = _ARM_X[1] - _ARM_X[0]
    dn = 2 * np.pi * x * hh * hh * dx * qd / s.pixel_scale**2  # pixels per annulus
    ideal = np.sqrt((amp_pix**2 * dn / 2).sum(axis=1)) / s.sigma_pixel
    # contrast per resolution element (what the eye sees), at the best radius
    # contrast per resolution element (what the eye sees), in annuli, at the best radius
    xc = (_ANNULI + _ANNULUS_WIDTH / 2)[None, :]
    sb_c = f_disk / (2 * np.pi * hh * hh * qd) * np.exp(-xc)
    lam_c = 2 * np.pi * xc * hh * sin_pitch / m * np.sqrt(qd)
    mtf_c = np.exp(-2 * np.pi**2 * sg**2 / lam_c**2) * np.abs(np.sinc(s.pixel_scale / lam_c))
    u = np.pi * fw / lam_c
    tophat = np.abs(2 * j1(u) / u)
    amp_c = sb_c * cat["arm_amp"][:, None] * (1 - np.exp(-(xc**2))) * mtf_c * tophat * s.pixel_scale**2
    n_res, d_pix = _res_element(s, fwhm)
    noise2 = s.sigma_pixel**2 / n_res  # variance of a resolution-element average
    snr2 = amp_c**2 / noise2[:, None]
    # the knots: point-like light on the crests that survives the PSF. A knot of flux f, seen through
    # the Moffat PSF (integral of P^2 as a Gaussian of sigma 0.548 FWHM) and the element's top-hat,
    # adds f^2 / (4 pi sigma_c^2) to the sum of the squared averaged image; spread over the annulus's
    # pixels, it raises the mean square and so the contrast 2 <image^2>.
    spiral = cat["type"] == SPIRAL
    knot2 = np.zeros_like(snr2)
    for i in np.flatnonzero(spiral & (cat["arm_amp"] > 0)):
        _, xk, fk = knot_layout(int(cat["seed"][i]), int(cat["arms"][i]), float(cat["arm_amp"][i]), f_disk[i, 0])
        b = np.floor((xk - _ANNULI[0]) / _ANNULUS_WIDTH).astype(int)
        ok = (b >= 0) & (b < _ANNULI.size)
        np.add.at(knot2[i], b[ok], fk[ok] ** 2)
    sig_k = C.KNOT_SIZE * h / s.pixel_scale
    sig_c2 = (0.548 * fwhm / s.pixel_scale) ** 2 + sig_k**2 + (d_pix / 2) ** 2 / 2  # pixels^2
    n_ann = 2 * np.pi * xc * hh * hh * _ANNULUS_WIDTH * qd / s.pixel_scale**2
    w_pix = _ANNULUS_WIDTH * h * np.sqrt(cat["q_disk"]) / s.pixel_scale
    radial = erf(w_pix / (2 * np.sqrt(sig_c2)))  # share of a knot's squared light inside its annulus
    knot2 *= (2 * radial / (4 * np.pi * sig_c2))[:, None] / n_ann / noise2[:, None]
    per_res = np.sqrt(snr2 + knot2)
    major = np.hypot(cat["r50"], sig)
    q_seen = np.hypot(q * cat["r50"], sig) / major
    return {
        "arm_snr": np.where(spiral, per_res.max(axis=1), 0.0),
        "arm_snr_ideal": np.where(spiral, ideal, 0.0),
        "q_seen": q_seen,
        "resolution": cat["r50"] / fwhm,
    }


def vote_probabilities(cat: dict[str, np.ndarray], model: VoteModel = VoteModel()) -> np.ndarray:
    """(n, 6) probabilities of one volunteer's answer, in the order of ``ANSWERS``."""
    vis = visibility(cat, "sdss")
    gtype = cat["type"]
    # seeing arms: odds grow as a power of the arm contrast, on top of the odds a smooth galaxy gets
    # spiral votes; the colour (the gri composite) shifts those: blue galaxies read as disks, red as
    # ellipticals
    colour = np.exp(model.colour_slope * (G_R_SPLIT - np.asarray(cat["g_r"], float))) if "g_r" in cat else 1.0
    odds = (np.maximum(vis["arm_snr"], 0) / model.snr_half) ** model.snr_slope
    odds = odds + model.smooth_arms / (1 - model.smooth_arms) * colour
    arms_seen = odds / (1 + odds)
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

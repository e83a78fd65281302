"""Numbers behind the synthetic sky, each with its source.

Sources are the book's bibliography keys (``book/references.bib``); numbers marked
*assumption* are choices of this generator, tuned where stated and reported in chapter 3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# --- Cosmology: flat Lambda-CDM, as used for SDSS galaxy sizes by Shen et al. 2003 (h = 0.7).
H0_KM_S_MPC = 70.0
OMEGA_M = 0.3
C_KM_S = 299_792.458

# --- Photometric units: image values are nanomaggies, m = 22.5 - 2.5 log10(f) (SDSS convention,
# DR7 documentation).
NMGY_ZERO_POINT = 22.5

# --- Sample selection: SDSS main galaxy sample, r < 17.77 (Strauss et al. 2002); thesis range 0 < z < 0.2.
R_MAG_LIMIT = 17.77
R_MAG_BRIGHT = 14.0  # bright limit of SDSS spectroscopic targeting (fibre cross-talk), ~14.5 (Strauss 2002)
Z_MIN, Z_MAX = 0.005, 0.2  # z > 0.005 keeps the Hubble flow well defined (assumption)

# --- Luminosity function (Schechter) in the ^{0.1}r band: Blanton et al. 2003,
# M* - 5 log10 h = -20.44, alpha = -1.05; with h = 0.7.
SCHECHTER_MSTAR = -20.44 + 5 * math.log10(0.7)
SCHECHTER_ALPHA = -1.05
M_ABS_RANGE = (-23.5, -16.0)  # range sampled (fainter galaxies cannot reach r < 17.77 beyond z ~ 0.01)

# --- Size–luminosity relations: Shen et al. 2003 (MNRAS 343, 978), R50 in kpc (h = 0.7), r band.
# early types: log10 R = -0.4 a M + b
SHEN_EARLY_A, SHEN_EARLY_B = 0.65, -5.06
# late types: log10 R = -0.4 alpha M + (beta - alpha) log10(1 + 10^(-0.4 (M - M0))) + gamma
SHEN_LATE_ALPHA, SHEN_LATE_BETA, SHEN_LATE_GAMMA, SHEN_LATE_M0 = 0.21, 0.53, -1.31, -20.52
# log-normal dispersion: sigma2 + (sigma1 - sigma2) / (1 + 10^(-0.8 (M - M0)))
SHEN_SIGMA1, SHEN_SIGMA2 = 0.48, 0.25

# --- Morphology mix (assumption, tuned so the GZ1 flag shares come out as in Lintott et al. 2011;
# the early-type fraction rises with luminosity as in visual SDSS catalogues, Nair & Abraham 2010).
P_ELLIPTICAL_FAINT, P_ELLIPTICAL_BRIGHT, P_ELLIPTICAL_MID, P_ELLIPTICAL_WIDTH = 0.08, 0.35, -21.5, 0.6
P_S0 = 0.12

# --- Structural parameters (shared/notes/galaxy-sim.md; assumptions unless cited)
SERSIC_N_ELLIPTICAL = (4.0, 0.8, 2.5, 6.0)  # mean, sd, clip low, clip high
SERSIC_N_STEP = 0.25  # n is quantised so GalSim can reuse its Sersic tables
Q_ELLIPTICAL = (0.5, 1.0)  # uniform axis ratio
BT_S0 = (0.4, 0.7)  # uniform bulge-to-total
BT_SPIRAL_BETA = (2.0, 6.0)  # B/T ~ Beta(2, 6)
BULGE_TO_DISK_SIZE = 0.25  # bulge R50 / disk R50 (assumption)
COS_I_RANGE = (0.15, 1.0)  # cos i ~ U(0.15, 1) for disks
DISK_THICKNESS = 0.2  # intrinsic axis ratio q0 of a disk seen edge-on
ARM_M_CHOICES, ARM_M_PROBS = (2, 3, 4), (0.6, 0.25, 0.15)
PITCH_DEG = (18.0, 6.0, 8.0, 35.0)  # mean, sd, clip: Kennicutt 1981-like grand-design pitch
ARM_AMPLITUDE = (0.15, 0.5)  # uniform amplitude of the log-spiral modulation


@dataclass(frozen=True)
class Survey:
    """An imaging survey as the generator needs it."""

    name: str
    pixel_scale: float  # arcsec / pixel
    stamp: int  # pixels per side
    psf_fwhm_median: float  # arcsec
    psf_fwhm_sigma_ln: float  # log-normal scatter of the seeing
    psf_fwhm_clip: tuple[float, float]
    psf_beta: float  # Moffat index
    sb_1sigma: float  # 1-sigma per-pixel noise expressed as mag / arcsec^2
    gain_e_per_nmgy: float  # electrons per nanomaggy in one exposure (source shot noise)

    @property
    def extent(self) -> float:
        """Side of the stamp in arcsec."""
        return self.pixel_scale * self.stamp

    @property
    def sigma_pixel(self) -> float:
        """Sky-limited 1-sigma noise per pixel, in nanomaggies."""
        return 10 ** (-0.4 * (self.sb_1sigma - NMGY_ZERO_POINT)) * self.pixel_scale**2


# SDSS r band: 0.396"/pix; seeing median 1.43" with quartiles 1.30"/1.58" (DR7 imaging pages), so the
# log-normal sigma is ln(1.58/1.30)/1.349 = 0.145. Sky 20.86 mag/arcsec^2 in 53.9 s gives a per-pixel
# 1-sigma of about 24.4 mag/arcsec^2 (shared/notes/galaxy-sim.md, derived). Gain: an r = 20 star gives
# ~9,400 e- in one SDSS exposure (flux20 ~ 2,000 DN x 4.7 e-/DN, DR7 calibration pages): 940 e-/nmgy.
# 64 pixels is the thesis's cutout size.
SDSS = Survey("sdss", 0.396, 64, 1.43, 0.145, (1.0, 2.2), 3.0, 24.4, 940.0)

# HSC-SSP Wide: 0.168"/pix; median i-band seeing ~0.6" (Aihara et al. 2018), scatter assumed 0.12 in
# ln; per-pixel 1-sigma ~26.6 mag/arcsec^2 (notes; it reproduces the r ~ 26 5-sigma point-source depth
# in a 2" aperture). 151 pixels covers the same 25.3" as 64 SDSS pixels (the thesis's HSC cutouts).
# Gain: deeper stacks collect ~40x the SDSS electrons per nanomaggy (8.2 m vs 2.5 m aperture, ~10 min
# vs 54 s): assumption 40,000 e-/nmgy; the images are sky-limited either way.
HSC = Survey("hsc", 0.168, 151, 0.60, 0.12, (0.4, 1.0), 3.0, 26.6, 40_000.0)

SURVEYS = {"sdss": SDSS, "hsc": HSC}


def survey(name: str) -> Survey:
    """The named survey, or a ValueError listing the known ones."""
    try:
        return SURVEYS[str(name).lower()]
    except KeyError:
        raise ValueError(f"unknown survey {name!r}; expected one of {sorted(SURVEYS)}") from None

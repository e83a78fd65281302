"""Numbers behind the synthetic sky, each with its source.

Sources are the book's bibliography keys (``book/references.bib``); numbers marked
*assumption* are choices of this generator, tuned where stated and reported in chapter 3.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from helpers.sources import ASSUMPTION, DERIVED, Source

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

# --- Structural parameters: assumptions of this generator (typical values of SDSS galaxies; SOURCES below)
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
ARM_KAPPA = 2.0  # von Mises concentration of the arm profile across the arms (assumption: arms narrower than gaps)
KNOTS_PER_ARM = (3, 8)  # star-forming knots per arm, uniform integer (assumption)
KNOT_FLUX = 0.15  # knot light / (arm amplitude x disk light) (assumption)
KNOT_SIZE = 0.07  # knot Gaussian sigma in disk scale lengths (assumption)
KNOT_RADII = (0.8, 3.5)  # knots lie on the arm crests between these radii, in disk scale lengths (assumption)

# --- Bars: GZ2 finds a bar in 29.4 +- 0.5 % of disk galaxies (Masters et al. 2011); every S0 or spiral
# gets one with that probability (an assumption: the GZ2 fraction is higher for red disks, lower for
# blue). Their size and light are assumptions of the order of bulge/bar/disk
# decompositions of SDSS disks (bar semi-major axis about one disk scale length, bar/total ~ 0.1).
BAR_FRACTION = 0.294
BAR_LENGTH = (0.8, 1.8)  # bar semi-major axis / disk scale length, uniform
BAR_LIGHT = (0.05, 0.15)  # bar / total light, uniform (taken from the disk)
BAR_AXIS_RATIO = 0.3  # intrinsic minor/major axis ratio of a bar

# --- Colour (the cue GZ1 volunteers had in their gri composites). g - r of the red sequence and of the blue
# cloud: ~0.77 and ~0.45 at L*, rest frame, no K-correction (assumed values typical of the bimodality of
# Strateva et al. 2001 and Baldry et al. 2004, whose fits are in u - r). Ellipticals and
# S0s sit on the red sequence; a spiral's colour mixes a red bulge and a blue disk by B/T (assumption).
G_R_RED = (0.77, 0.04)  # mean, sd
G_R_BLUE = (0.45, 0.08)  # mean (a bulgeless disk), sd

# --- The field behind and around each galaxy: other galaxies and stars down to FIELD_MAG_FAINT (r band).
# Galaxy counts dN/dm per deg^2 per mag: a power law of slope 0.45 dex/mag through the SDSS main-sample
# density, 90 galaxies per deg^2 at r < 17.77 (Strauss et al. 2002), out to r = 22 (the near-Euclidean
# 16 < r < 21 counts of Yasuda et al. 2001); fainter, the counts flatten to 0.33 dex/mag (deep R/I counts,
# Metcalfe et al. 2001), giving ~60 galaxies per arcmin^2 at r < 26. The break and the faint slope are
# assumptions of the order of those papers.
FIELD_COUNT_AT_LIMIT = 90.0  # galaxies per deg^2 brighter than R_MAG_LIMIT (Strauss et al. 2002)
FIELD_SLOPE_BRIGHT = 0.45  # d log10 N / dm at r < FIELD_BREAK_MAG
FIELD_BREAK_MAG = 22.0
FIELD_SLOPE_FAINT = 0.33  # d log10 N / dm fainter than the break
FIELD_MAG_BRIGHT, FIELD_MAG_FAINT = 15.0, 27.0  # magnitudes drawn (fainter sources only add unresolved light)
# Stars at high Galactic latitude: dN/dm = STAR_COUNT_20 x 10^(STAR_SLOPE (r - 20)) per deg^2 per mag
# (assumption of the order of Galactic star-count models at |b| > 50 deg; GZ1 galaxies lie mostly there).
STAR_COUNT_20 = 400.0
STAR_SLOPE = 0.12
# Sizes of field galaxies: R50 = FIELD_R50_22 x 10^(-FIELD_R50_SLOPE (r - 22)) arcsec, log-normal scatter
# FIELD_R50_SIGMA in ln (assumption: ~1.5" at r = 18, ~0.24" at r = 26, as faint galaxies in deep images).
FIELD_R50_22, FIELD_R50_SLOPE, FIELD_R50_SIGMA = 0.6, 0.1, 0.35
FIELD_MARGIN = 4.0  # arcsec beyond the stamp edge from which sources still spill light in (assumption)


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
# 1-sigma of about 24.4 mag/arcsec^2 (derived here; an assumption, not checked against a measured
# depth). Gain: an r = 20 star gives ~9,400 e- in one SDSS exposure (flux20 ~ 2,000 DN x 4.7 e-/DN,
# DR7 calibration pages): 940 e-/nmgy.
# 64 pixels is the thesis's cutout size.
SDSS = Survey("sdss", 0.396, 64, 1.43, 0.145, (1.0, 2.2), 3.0, 24.4, 940.0)

# HSC-SSP Wide: 0.168"/pix; median i-band seeing ~0.6" (Aihara et al. 2018), scatter assumed 0.12 in
# ln; per-pixel 1-sigma ~26.6 mag/arcsec^2 (assumption; it reproduces the r ~ 26 5-sigma point-source depth
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


# --- Sources of the numbers above, rendered as the book's "Sources and assumptions" page of chapters 3–4
# (book/sources-galaxies.md; helpers/sources.py says what a registry must cover; tests/test_sources.py).
_TUNED_GZ1 = "tuned so that the GZ1 flag shares come out as published"
_VOTES = "helpers.galaxies.sky.votes"
SOURCES = (
    Source(
        "H0_KM_S_MPC", "Hubble constant (h = 0.7)", "km/s/Mpc", "shen2003sizes", False, "the cosmology of the sizes"
    ),
    Source("OMEGA_M", "matter density, flat ΛCDM", "", "shen2003sizes", False),
    Source("C_KM_S", "speed of light", "km/s", "pdg2024", False),
    Source("NMGY_ZERO_POINT", "zero point of nanomaggies", "mag", "abazajian2009sdss", False, "m = 22.5 − 2.5 log₁₀ f"),
    Source("R_MAG_LIMIT", "faint limit of the main galaxy sample", "mag (r)", "strauss2002", False),
    Source(
        "R_MAG_BRIGHT",
        "bright limit of the sample",
        "mag (r)",
        "strauss2002",
        True,
        "spectroscopic targeting stops near r ≈ 14.5 (fibre cross-talk); 14 is our rounder choice",
    ),
    Source("Z_MIN", "lowest redshift", "", ASSUMPTION, True, "keeps the Hubble flow well defined"),
    Source("Z_MAX", "highest redshift", "", "homma2022", False, "the thesis's range 0 < z < 0.2"),
    Source(
        "SCHECHTER_MSTAR",
        "Schechter M* in the ⁰·¹r band (h = 0.7)",
        "mag",
        "blanton2003lf",
        False,
        "M* − 5 log₁₀ h = −20.44",
    ),
    Source("SCHECHTER_ALPHA", "Schechter faint-end slope", "", "blanton2003lf", False),
    Source("M_ABS_RANGE", "absolute magnitudes sampled", "mag", ASSUMPTION, True, "fainter galaxies miss r < 17.77"),
    Source("SHEN_EARLY_A", "size–luminosity slope a, early types", "", "shen2003sizes", False),
    Source("SHEN_EARLY_B", "size–luminosity intercept b, early types", "", "shen2003sizes", False),
    Source("SHEN_LATE_ALPHA", "size–luminosity α, late types", "", "shen2003sizes", False),
    Source("SHEN_LATE_BETA", "size–luminosity β, late types", "", "shen2003sizes", False),
    Source("SHEN_LATE_GAMMA", "size–luminosity γ, late types", "", "shen2003sizes", False),
    Source("SHEN_LATE_M0", "size–luminosity M₀, late types", "mag", "shen2003sizes", False),
    Source("SHEN_SIGMA1", "log-normal size dispersion, faint end", "", "shen2003sizes", False),
    Source("SHEN_SIGMA2", "log-normal size dispersion, bright end", "", "shen2003sizes", False),
    Source(
        "P_ELLIPTICAL_FAINT",
        "elliptical fraction, faint galaxies",
        "",
        "lintott2011gz",
        True,
        _TUNED_GZ1 + "; the rise with luminosity as in {cite}`nair2010`",
    ),
    Source("P_ELLIPTICAL_BRIGHT", "elliptical fraction, bright galaxies", "", "lintott2011gz", True, _TUNED_GZ1),
    Source("P_ELLIPTICAL_MID", "magnitude of the transition", "mag", "lintott2011gz", True, _TUNED_GZ1),
    Source("P_ELLIPTICAL_WIDTH", "width of the transition", "mag", "lintott2011gz", True, _TUNED_GZ1),
    Source("P_S0", "S0 fraction", "", "lintott2011gz", True, _TUNED_GZ1),
    Source(
        "SERSIC_N_ELLIPTICAL",
        "Sérsic index of ellipticals: mean, sd, clip",
        "",
        ASSUMPTION,
        True,
        "centred on de Vaucouleurs's n = 4",
    ),
    Source("SERSIC_N_STEP", "quantisation of the Sérsic index", "", ASSUMPTION, True, "lets GalSim reuse its tables"),
    Source("Q_ELLIPTICAL", "axis ratio of ellipticals (uniform)", "", ASSUMPTION, True),
    Source("BT_S0", "bulge-to-total of S0s (uniform)", "", ASSUMPTION, True),
    Source("BT_SPIRAL_BETA", "bulge-to-total of spirals ~ Beta(a, b)", "", ASSUMPTION, True),
    Source("BULGE_TO_DISK_SIZE", "bulge R50 / disk R50", "", ASSUMPTION, True),
    Source("COS_I_RANGE", "cos i of disks (uniform)", "", ASSUMPTION, True),
    Source("DISK_THICKNESS", "intrinsic axis ratio of a disk seen edge-on", "", ASSUMPTION, True),
    Source("ARM_M_CHOICES", "numbers of spiral arms", "", ASSUMPTION, True),
    Source("ARM_M_PROBS", "their probabilities", "", ASSUMPTION, True),
    Source(
        "PITCH_DEG",
        "arm pitch angle: mean, sd, clip",
        "deg",
        "kennicutt1981",
        True,
        "grand-design pitch angles of the order measured there",
    ),
    Source("ARM_AMPLITUDE", "amplitude of the log-spiral modulation (uniform)", "", ASSUMPTION, True),
    Source("ARM_KAPPA", "von Mises concentration of the arm profile", "", ASSUMPTION, True, "arms narrower than gaps"),
    Source("KNOTS_PER_ARM", "star-forming knots per arm (uniform integer)", "", ASSUMPTION, True),
    Source("KNOT_FLUX", "knot light / (arm amplitude × disk light)", "", ASSUMPTION, True),
    Source("KNOT_SIZE", "knot σ", "disk scale lengths", ASSUMPTION, True),
    Source("KNOT_RADII", "radii of the knots on the arm crests", "disk scale lengths", ASSUMPTION, True),
    Source(
        "BAR_FRACTION",
        "fraction of disks with a bar",
        "",
        "masters2011bars",
        True,
        "GZ2: 29.4 ± 0.5 % of a volume-limited sample of disks that are not edge-on; applying it to every S0 and "
        "spiral whatever its colour (red disks are barred about twice as often as blue ones) is our assumption",
    ),
    Source(
        "BAR_LENGTH",
        "bar semi-major axis / disk scale length (uniform)",
        "",
        ASSUMPTION,
        True,
        "of the order of bar/disk decompositions of SDSS disks",
    ),
    Source("BAR_LIGHT", "bar / total light (uniform)", "", ASSUMPTION, True, "bar/total ≈ 0.1 is typical"),
    Source("BAR_AXIS_RATIO", "intrinsic axis ratio of a bar", "", ASSUMPTION, True),
    Source(
        "G_R_RED",
        "g − r of the red sequence: mean, sd",
        "mag",
        ASSUMPTION,
        True,
        "rest-frame g − r typical of the SDSS red sequence near L* (the bimodality of {cite}`strateva2001` and "
        "{cite}`baldry2004`, whose fits are in u − r); no K-correction, no evolution with z",
    ),
    Source(
        "G_R_BLUE",
        "g − r of a bulgeless blue-cloud disk: mean, sd",
        "mag",
        ASSUMPTION,
        True,
        "typical rest-frame g − r of the blue cloud (bimodality as in {cite}`strateva2001`, {cite}`baldry2004`); "
        "spirals mix it with the red sequence by B/T",
    ),
    Source(
        "FIELD_COUNT_AT_LIMIT",
        "field galaxies brighter than r = 17.77",
        "deg⁻²",
        "strauss2002",
        False,
        "the main-sample surface density, ≈ 90 deg⁻²",
    ),
    Source(
        "FIELD_SLOPE_BRIGHT",
        "slope d log₁₀N/dm of galaxy counts, r < 22",
        "mag⁻¹",
        "yasuda2001counts",
        True,
        "near no-evolution counts over 16 < r < 21; 0.45 is our reading",
    ),
    Source("FIELD_BREAK_MAG", "magnitude where the counts flatten", "mag (r)", "metcalfe2001counts", True),
    Source(
        "FIELD_SLOPE_FAINT",
        "slope of galaxy counts fainter than the break",
        "mag⁻¹",
        "metcalfe2001counts",
        True,
        "of the order of the deep R/I counts; gives ≈ 60 arcmin⁻² at r < 26",
    ),
    Source("FIELD_MAG_BRIGHT", "brightest field source drawn", "mag (r)", ASSUMPTION, True),
    Source("FIELD_MAG_FAINT", "faintest field source drawn", "mag (r)", ASSUMPTION, True, "1 mag beyond HSC depth"),
    Source(
        "STAR_COUNT_20",
        "stars per deg² per mag at r = 20, high latitude",
        "deg⁻² mag⁻¹",
        ASSUMPTION,
        True,
        "order of Galactic star-count models at |b| > 50°",
    ),
    Source("STAR_SLOPE", "slope d log₁₀N/dm of star counts", "mag⁻¹", ASSUMPTION, True),
    Source("FIELD_R50_22", "half-light radius of an r = 22 field galaxy", "arcsec", ASSUMPTION, True),
    Source("FIELD_R50_SLOPE", "its change with magnitude (dex/mag)", "", ASSUMPTION, True),
    Source("FIELD_R50_SIGMA", "log-normal scatter of field sizes", "", ASSUMPTION, True),
    Source("FIELD_MARGIN", "border beyond the stamp whose sources still spill in", "arcsec", ASSUMPTION, True),
    Source("SDSS.pixel_scale", "SDSS pixel scale", "arcsec/pixel", "abazajian2009sdss", False),
    Source("SDSS.stamp", "SDSS cutout side", "pixels", "homma2022", False, "the thesis's cutouts"),
    Source("SDSS.psf_fwhm_median", "SDSS r-band seeing, median", "arcsec", "sdss-dr7-docs", False),
    Source(
        "SDSS.psf_fwhm_sigma_ln",
        "SDSS seeing, log-normal scatter",
        "",
        DERIVED,
        False,
        "ln(1.58/1.30)/1.349 from the quartiles 1.30″, 1.58″ (sdss-dr7-docs)",
    ),
    Source("SDSS.psf_fwhm_clip", "SDSS seeing, clip", "arcsec", ASSUMPTION, True),
    Source("SDSS.psf_beta", "Moffat index of the SDSS PSF", "", "moffat1969", True, "β ≈ 3, a common choice"),
    Source(
        "SDSS.sb_1sigma",
        "SDSS per-pixel 1σ noise",
        "mag/arcsec²",
        "sdss-dr7-docs",
        True,
        "derived here from the sky 20.86 mag/arcsec² in 53.9 s; not checked against a measured depth",
    ),
    Source(
        "SDSS.gain_e_per_nmgy",
        "SDSS electrons per nanomaggy",
        "e⁻/nmgy",
        "sdss-dr7-docs",
        False,
        "an r = 20 star gives ≈ 2,000 DN × 4.7 e⁻/DN; rounded",
    ),
    Source("HSC.pixel_scale", "HSC pixel scale", "arcsec/pixel", "aihara2018hsc", False),
    Source("HSC.stamp", "HSC cutout side", "pixels", "homma2022", False, "the same 25.3″ as 64 SDSS pixels"),
    Source("HSC.psf_fwhm_median", "HSC i-band seeing, median", "arcsec", "aihara2018hsc", False),
    Source("HSC.psf_fwhm_sigma_ln", "HSC seeing, log-normal scatter", "", ASSUMPTION, True),
    Source("HSC.psf_fwhm_clip", "HSC seeing, clip", "arcsec", ASSUMPTION, True),
    Source("HSC.psf_beta", "Moffat index of the HSC PSF", "", "moffat1969", True, "β ≈ 3, a common choice"),
    Source(
        "HSC.sb_1sigma",
        "HSC per-pixel 1σ noise",
        "mag/arcsec²",
        "aihara2018hsc",
        True,
        "chosen to reproduce the Wide depth r ≈ 26 (5σ point source, 2″ aperture)",
    ),
    Source(
        "HSC.gain_e_per_nmgy",
        "HSC electrons per nanomaggy",
        "e⁻/nmgy",
        ASSUMPTION,
        True,
        "≈ 40 × SDSS (8.2 m vs 2.5 m aperture, ≈ 10 min vs 54 s); sky-limited either way",
    ),
    Source(
        "VoteModel.snr_half",
        "arm S/N at which half the volunteers see arms",
        "",
        "lintott2011gz",
        True,
        _TUNED_GZ1,
        module=_VOTES,
    ),
    Source(
        "VoteModel.colour_slope",
        "how strongly g − r moves the odds of a spiral vote",
        "mag⁻¹",
        ASSUMPTION,
        True,
        "GZ1 volunteers saw gri composites; not tuned",
        module=_VOTES,
    ),
    Source(
        "G_R_SPLIT",
        "g − r between red sequence and blue cloud",
        "mag",
        DERIVED,
        False,
        "the mean of G_R_RED and G_R_BLUE",
        module=_VOTES,
    ),
    Source("VoteModel.snr_slope", "steepness of that transition", "", "lintott2011gz", True, _TUNED_GZ1, module=_VOTES),
    Source(
        "VoteModel.edge_q",
        "apparent axis ratio below which a disk reads edge-on",
        "",
        "lintott2011gz",
        True,
        _TUNED_GZ1,
        module=_VOTES,
    ),
    Source("VoteModel.edge_width", "width of that transition", "", "lintott2011gz", True, _TUNED_GZ1, module=_VOTES),
    Source(
        "VoteModel.dk_base",
        "“star / don't know” share, resolved galaxy",
        "",
        "lintott2011gz",
        True,
        _TUNED_GZ1,
        module=_VOTES,
    ),
    Source(
        "VoteModel.dk_small",
        "extra “don't know” for a PSF-sized galaxy",
        "",
        "lintott2011gz",
        True,
        _TUNED_GZ1,
        module=_VOTES,
    ),
    Source("VoteModel.merger", "merger votes", "", ASSUMPTION, True, "no mergers are simulated", module=_VOTES),
    Source(
        "VoteModel.smooth_arms",
        "spiral votes for a smooth galaxy",
        "",
        "lintott2011gz",
        True,
        _TUNED_GZ1,
        module=_VOTES,
    ),
    Source(
        "VoteModel.wrong_hand",
        "spiral votes with the wrong winding",
        "",
        "lintott2011gz",
        True,
        _TUNED_GZ1,
        module=_VOTES,
    ),
    Source(
        "VoteModel.concentration",
        "Dirichlet concentration (lower: more disagreement)",
        "",
        "lintott2011gz",
        True,
        _TUNED_GZ1,
        module=_VOTES,
    ),
    Source(
        "VoteModel.votes_mean",
        "mean votes per galaxy",
        "",
        "lintott2011gz",
        True,
        "a few tens (≈ 5 × 10⁷ classifications of ≈ 9 × 10⁵ galaxies is ≈ 55 on average; 38 with a floor of 10 "
        "is our assumption for the spectroscopic sample)",
        module=_VOTES,
    ),
    Source("VoteModel.votes_min", "fewest votes per galaxy", "", ASSUMPTION, True, module=_VOTES),
)

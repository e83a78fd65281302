"""Numbers of the GAPS event model, each with its source (keys of book/references.bib; the
SOURCES registry at the end lists every number for the chapter's sources page). "Assumption"
marks a number that could not be checked against a primary source; those are parameters of the
simulator, so their influence can be studied."""

# --- Particle data (PDG 2024, Navas et al.) -------------------------------------------------
M_PROTON = 938.272  # MeV
M_DEUTERON = 1875.613  # MeV
M_PION = 139.570  # MeV, charged pion
M_ELECTRON = 0.51099895  # MeV
C_CM_PER_NS = 29.9792458  # speed of light

# --- Silicon (PDG atomic and nuclear properties; NIST PSTAR uses I = 173 eV) -------------------
SI_Z_OVER_A = 0.49848  # mol/g
SI_DENSITY = 2.33  # g/cm³
SI_I_EV = 173.0  # mean excitation energy, eV
K_BETHE = 0.307075  # MeV cm²/mol, 4π N_A r_e² m_e c² (PDG eq. 34.5)

# --- NIST PSTAR, protons in silicon: kinetic energy (MeV) -> CSDA range (g/cm²) ---------------
PSTAR_T_MEV = (10.0, 20.0, 50.0, 100.0, 150.0, 200.0, 250.0)
PSTAR_RANGE = (0.1665, 0.5608, 2.852, 9.737, 19.77, 32.40, 47.21)
PSTAR_STOPPING = (34.59, 20.20, 9.856, 5.838, 4.383, 3.628, 3.165)  # MeV cm²/g
# Bethe–Bloch without shell corrections overestimates the stopping power below ~10 MeV (by
# 1.7 % at 10 MeV, more below), so the range table is anchored to PSTAR at 10 MeV per proton mass
# and extended below with a Bragg–Kleeman power law R ∝ T^1.7 (assumption; this part of the range
# is the last ~0.7 mm of a track).
RANGE_ANCHOR_T = 10.0  # MeV, for a proton; scaled by mass for other particles
RANGE_ANCHOR_R = 0.1665  # g/cm², PSTAR CSDA range of a 10 MeV proton in Si
BRAGG_KLEEMAN_EXPONENT = 1.7

# --- NIST XCOM, photons in silicon: energy (keV) -> total attenuation μ/ρ (cm²/g) --------------
XCOM_E_KEV = (10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 80.0, 100.0, 150.0)
XCOM_MU_RHO = (33.89, 10.34, 4.464, 1.436, 0.7012, 0.4385, 0.3207, 0.2228, 0.1835, 0.1448)
# XCOM partial cross sections of Si (Z = 14, A = 28.0855), barns/atom, on the same energies
# (XCOM data file MDATX3.014, Berger & Hubbell): coherent (Rayleigh), incoherent (Compton) and
# photoelectric absorption. Their sum reproduces XCOM_MU_RHO to 0.1 %. 1 barn/atom = N_A/A × 1e-24 cm²/g.
XCOM_COHERENT_B = (29.02, 16.72, 10.92, 5.852, 3.678, 2.518, 1.827, 1.084, 0.7167, 0.3323)
XCOM_INCOHERENT_B = (5.020, 6.010, 6.538, 7.002, 7.155, 7.172, 7.118, 6.918, 6.678, 6.105)
XCOM_PHOTO_B = (1546.0, 459.3, 190.7, 54.13, 21.86, 10.76, 6.009, 2.388, 1.165, 0.3174)
SI_BARN_TO_CM2_G = 0.602214076 / 28.0855

# --- Exotic-atom X-rays in silicon (Aramaki et al. GAPS simulations; Bohr model with reduced mass)
# energy (MeV) and yield per stopped antiparticle
XRAYS = {
    "antiproton": ((0.0348, 0.73), (0.0578, 0.84), (0.1063, 0.70)),  # 7→6, 6→5, 5→4
    "antideuteron": ((0.0299, 0.80), (0.0437, 0.93), (0.0673, 0.94)),  # 9→8, 8→7, 7→6
}

# --- Annihilation at rest -------------------------------------------------------------------------
# Energy released when one antinucleon annihilates on a bound nucleon: 2 m_p c² less the nucleon's
# binding in silicon (8.45 MeV per nucleon, AME2020 binding energy of ²⁸Si). An antideuteron brings
# two antinucleons: twice that (less its own 2.2 MeV binding, negligible here).
SI_BINDING_PER_NUCLEON = 8.45  # MeV
SI_PROTON_SEPARATION = 11.6  # MeV, energy to free one proton from ²⁸Si (AME2020 S_p = 11.58 MeV)
M_PION0 = 134.977  # MeV, neutral pion (PDG 2024); decays to 2γ the tracker hardly sees
# Pions per antinucleon–nucleon annihilation at rest: ≈ 3 charged and ≈ 2 neutral in p̄p
# (Amsler, Rev. Mod. Phys. 70 (1998) 1293); in emulsion nuclei 4.68 ± 0.12 pions of mean total
# energy 391 ± 10 MeV, i.e. 251 MeV kinetic (Ekspong et al. 1961), so that the pions carry
# 4.68 × 391 ≈ 1830 of the 1877 MeV and the nucleus ≈ 50 MeV on average. These are the targets
# of the joint draw in :func:`helpers.gaps.simulate.annihilate`:
PION_MEAN_CHARGED = 3.0  # per annihilating antinucleon (Amsler 1998)
PION_MEAN_NEUTRAL = 1.68  # so that charged + neutral = 4.68 (Ekspong et al. 1961)
PION_MEAN_KINETIC = 251.0  # MeV (Ekspong et al. 1961: 391 MeV total energy per pion)
# Final state per species (assumptions where no measurement exists, as parameters of the
# simulator):
# - ``nuclear_share``: mean fraction of the released kinetic energy taken by the nucleus (pion
#   absorption and rescattering), Beta-distributed with concentration NUCLEAR_CONCENTRATION;
#   0.03 of ≈ 1220 MeV gives ⟨E_nucleus⟩ ≈ 40 MeV for p̄ (Ekspong, above: ≈ 50 MeV). An
#   antideuteron's second antinucleon annihilates deeper in the nucleus: more energy to it
#   (assumption).
# - ``protons``: mean number of protons the excited nucleus emits (Poisson, each costing the
#   separation energy), the rest of its energy shared with ``local`` (α particles and the recoil,
#   ranges ≪ 2.5 mm: deposited in the annihilation detector) and neutrons (unseen), Dirichlet
#   weights ``local`` and 1.
# The antideuteron's ``nuclear_share``, ``protons`` and ``local`` are not measured: they are set
# so that the class mean and variance of the largest single-detector deposit come near the
# study's (37.2 / 363.2 for d̄ with 29.6 / 249.1 for p̄); notebook 2.1 reports both.
NUCLEAR_CONCENTRATION = 20.0
FINAL_STATE = {
    "antiproton": {"antinucleons": 1, "nuclear_share": 0.03, "protons": 1.0, "local": 0.2},
    "antideuteron": {"antinucleons": 2, "nuclear_share": 0.05, "protons": 0.5, "local": 0.0},
}

# --- Detector (Aramaki's 10 × 12 × 12 Geant4 geometry; Rogers et al. 2019, arXiv:1906.00054) ----
N_LAYERS = 10
N_XY = 12
PITCH_CM = 13.0  # detector pitch within a layer
LAYER_SPACING_CM = 20.0  # distance between layers
RADIUS_CM = 5.0  # Si(Li) detector radius (10 cm diameter)
THICKNESS_CM = 0.25  # 2.5 mm
NOISE_MEV = 0.0017  # ≈ 4 keV FWHM / 2.355 (Rogers et al. 2019: ≤ 4 keV FWHM)
THRESHOLD_MEV = 0.010  # assumption: 10 keV, well above noise and below the lowest X-ray


# --- Sources of the numbers above, rendered as the book's "Sources and assumptions" page of chapter 2
# (book/sources-ch02.md; helpers/sources.py says what a registry must cover; tests/test_sources.py).
from helpers.sources import ASSUMPTION, DERIVED, Source  # noqa: E402  (appended registry)

SOURCES = (
    Source("M_PROTON", "proton mass", "MeV", "pdg2024", False),
    Source("M_DEUTERON", "deuteron mass", "MeV", "pdg2024", False),
    Source("M_PION", "charged-pion mass", "MeV", "pdg2024", False),
    Source("M_PION0", "neutral-pion mass", "MeV", "pdg2024", False),
    Source("M_ELECTRON", "electron mass", "MeV", "pdg2024", False),
    Source("C_CM_PER_NS", "speed of light", "cm/ns", "pdg2024", False),
    Source("SI_Z_OVER_A", "silicon ⟨Z/A⟩", "mol/g", "pdg2024", False, "atomic and nuclear properties of Si"),
    Source("SI_DENSITY", "silicon density", "g/cm³", "pdg2024", False),
    Source("SI_I_EV", "silicon mean excitation energy", "eV", "pdg2024", False, "the value PSTAR uses too"),
    Source("K_BETHE", "Bethe–Bloch constant 4π N_A r_e² m_e c²", "MeV cm²/mol", "pdg2024", False),
    Source("PSTAR_T_MEV", "proton kinetic energies of the PSTAR table", "MeV", "pstar", False),
    Source("PSTAR_RANGE", "CSDA range of protons in Si", "g/cm²", "pstar", False),
    Source("PSTAR_STOPPING", "stopping power of protons in Si", "MeV cm²/g", "pstar", False),
    Source(
        "RANGE_ANCHOR_T",
        "energy below which ranges follow a power law",
        "MeV",
        ASSUMPTION,
        True,
        "Bethe–Bloch without shell corrections is 1.7 % high at 10 MeV and worse below",
    ),
    Source("RANGE_ANCHOR_R", "PSTAR CSDA range of a 10 MeV proton in Si", "g/cm²", "pstar", False),
    Source(
        "BRAGG_KLEEMAN_EXPONENT",
        "exponent of R ∝ T^p below the anchor",
        "",
        ASSUMPTION,
        True,
        "Bragg–Kleeman rule; covers the last ≈ 0.7 mm of a track",
    ),
    Source("XCOM_E_KEV", "photon energies of the XCOM table", "keV", "xcom", False),
    Source("XCOM_MU_RHO", "total attenuation μ/ρ of Si", "cm²/g", "xcom", False),
    Source("XCOM_COHERENT_B", "coherent (Rayleigh) cross section of Si", "barn/atom", "xcom", False),
    Source("XCOM_INCOHERENT_B", "incoherent (Compton) cross section of Si", "barn/atom", "xcom", False),
    Source("XCOM_PHOTO_B", "photoelectric cross section of Si", "barn/atom", "xcom", False),
    Source(
        "SI_BARN_TO_CM2_G",
        "1 barn/atom of Si in cm²/g",
        "cm²/g",
        DERIVED,
        False,
        "N_A / A × 10⁻²⁴ with A(Si) = 28.0855 {cite}`pdg2024`",
    ),
    Source(
        "XRAYS.antiproton",
        "exotic-atom X-rays of p̄ in Si: (energy, yield) for 7→6, 6→5, 5→4",
        "MeV, —",
        "aramaki2016",
        True,
        "energies checked with the Bohr model with reduced mass; yields from the GAPS Geant4 generator, "
        "not checked against a publication",
    ),
    Source(
        "XRAYS.antideuteron",
        "exotic-atom X-rays of d̄ in Si: (energy, yield) for 9→8, 8→7, 7→6",
        "MeV, —",
        "aramaki2016",
        True,
        "energies checked with the Bohr model with reduced mass; yields from the GAPS Geant4 generator, "
        "not checked against a publication",
    ),
    Source("SI_BINDING_PER_NUCLEON", "binding energy per nucleon of ²⁸Si", "MeV", "ame2020", False),
    Source("SI_PROTON_SEPARATION", "proton separation energy of ²⁸Si", "MeV", "ame2020", False, "S_p = 11.58 MeV"),
    Source("PION_MEAN_CHARGED", "charged pions per annihilation at rest", "", "amsler1998", False, "p̄p"),
    Source(
        "PION_MEAN_NEUTRAL",
        "neutral pions per annihilation at rest",
        "",
        "ekspong1961",
        False,
        "4.68 pions in all (emulsion nuclei) less the 3 charged of {cite}`amsler1998`",
    ),
    Source(
        "PION_MEAN_KINETIC",
        "mean pion kinetic energy",
        "MeV",
        "ekspong1961",
        False,
        "391 MeV total energy per pion less the pion mass",
    ),
    Source(
        "NUCLEAR_CONCENTRATION",
        "Beta concentration of the nucleus's energy share",
        "",
        ASSUMPTION,
        True,
    ),
    Source(
        "FINAL_STATE.antiproton.antinucleons",
        "antinucleons in a p̄",
        "",
        DERIVED,
        False,
        "one antiproton",
    ),
    Source(
        "FINAL_STATE.antiproton.nuclear_share",
        "p̄: mean share of the kinetic energy to the nucleus",
        "",
        "ekspong1961",
        True,
        "≈ 40 MeV to the nucleus; Ekspong et al. find ≈ 50 MeV",
    ),
    Source("FINAL_STATE.antiproton.protons", "p̄: mean protons emitted by the nucleus", "", ASSUMPTION, True),
    Source(
        "FINAL_STATE.antiproton.local",
        "p̄: Dirichlet weight of the locally deposited share",
        "",
        ASSUMPTION,
        True,
        "α particles and recoil, ranges ≪ 2.5 mm",
    ),
    Source(
        "FINAL_STATE.antideuteron.antinucleons",
        "antinucleons in a d̄",
        "",
        DERIVED,
        False,
        "an antiproton and an antineutron",
    ),
    Source(
        "FINAL_STATE.antideuteron.nuclear_share",
        "d̄: mean share of the kinetic energy to the nucleus",
        "",
        "gapscnn",
        True,
        "not measured: set so that the largest single-detector deposit comes near the study's",
    ),
    Source(
        "FINAL_STATE.antideuteron.protons",
        "d̄: mean protons emitted by the nucleus",
        "",
        "gapscnn",
        True,
        "not measured: set like nuclear_share",
    ),
    Source(
        "FINAL_STATE.antideuteron.local",
        "d̄: Dirichlet weight of the locally deposited share",
        "",
        "gapscnn",
        True,
        "not measured: set like nuclear_share",
    ),
    Source("N_LAYERS", "tracker layers", "", "gapscnn", False, "the study's (10, 12, 12) input"),
    Source("N_XY", "detectors per layer side", "", "gapscnn", False, "the study's (10, 12, 12) input"),
    Source(
        "PITCH_CM",
        "detector pitch within a layer",
        "cm",
        "aramaki2016",
        True,
        "the Geant4 geometry of the GAPS sensitivity simulations; not checked against a publication",
    ),
    Source(
        "LAYER_SPACING_CM",
        "distance between layers",
        "cm",
        "aramaki2016",
        True,
        "the Geant4 geometry of the GAPS sensitivity simulations; the flight instrument's spacing is smaller",
    ),
    Source("RADIUS_CM", "Si(Li) detector radius", "cm", "rogers2019", False, "10 cm diameter"),
    Source("THICKNESS_CM", "Si(Li) detector thickness", "cm", "rogers2019", False),
    Source("NOISE_MEV", "Gaussian noise per detector", "MeV", "rogers2019", False, "≤ 4 keV FWHM / 2.355"),
    Source("THRESHOLD_MEV", "hit threshold", "MeV", ASSUMPTION, True, "well above the noise, below the lowest X-ray"),
    Source(
        "XRAY_CUTOFF_MEV",
        "photons below this are absorbed where they are",
        "MeV",
        ASSUMPTION,
        True,
        "mean free path < 0.2 mm in Si at 10 keV {cite}`xcom`",
        module="helpers.gaps.simulate",
    ),
    Source(
        "DEFAULT_SPECTRUM.lo",
        "lowest speed β of the primaries (chapter default)",
        "",
        ASSUMPTION,
        True,
        "the study does not state its spectrum; β uniform in [0.2, 0.5] (notebook 2.7 compares others)",
        module="helpers.gaps.data",
    ),
    Source(
        "DEFAULT_SPECTRUM.hi",
        "highest speed β of the primaries (chapter default)",
        "",
        ASSUMPTION,
        True,
        "as for lo",
        module="helpers.gaps.data",
    ),
)

"""Numbers of the GAPS event model, each with its source (see book/references.bib and
shared notes). "Assumption" marks a number that could not be checked against a primary source;
those are parameters of the simulator, so their influence can be studied."""

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
XCOM_E_KEV = (20.0, 30.0, 40.0, 50.0, 60.0, 80.0, 100.0, 150.0)
XCOM_MU_RHO = (4.464, 1.436, 0.7012, 0.4385, 0.3207, 0.2228, 0.1835, 0.1448)

# --- Exotic-atom X-rays in silicon (Aramaki et al. GAPS simulations; Bohr model with reduced mass)
# energy (MeV) and yield per stopped antiparticle
XRAYS = {
    "antiproton": ((0.0348, 0.73), (0.0578, 0.84), (0.1063, 0.70)),  # 7→6, 6→5, 5→4
    "antideuteron": ((0.0299, 0.80), (0.0437, 0.93), (0.0673, 0.94)),  # 9→8, 8→7, 7→6
}

# --- Annihilation products at rest --------------------------------------------------------------
# Antiproton–nucleon annihilation at rest yields ≈ 5 pions, ≈ 3 of them charged (Amsler, Rev. Mod.
# Phys. 70 (1998) 1293); in emulsion 4.68 ± 0.12 pions with mean total energy 391 ± 10 MeV, i.e.
# ≈ 250 MeV kinetic (Ekspong et al. 1961). Nuclear protons and the antideuteron numbers
# (two annihilating antinucleons, partly absorbed in the nucleus): assumptions, as parameters.
PRONGS = {
    "antiproton": {"charged_pions": 3.0, "protons": 1.0},
    "antideuteron": {"charged_pions": 5.0, "protons": 2.0},
}
PION_MEAN_KINETIC = 250.0  # MeV (Ekspong et al. 1961: 391 MeV total energy per pion)
PION_MAX_KINETIC = 900.0  # MeV, kinematic cut-off (2 m_p c² shared by ≥ 2 pions)
PROTON_MEAN_KINETIC = 40.0  # MeV, assumption: cascade/evaporation protons of tens of MeV

# --- Detector (Aramaki's 10 × 12 × 12 Geant4 geometry; Rogers et al. 2019, arXiv:1906.00054) ----
N_LAYERS = 10
N_XY = 12
PITCH_CM = 13.0  # detector pitch within a layer
LAYER_SPACING_CM = 20.0  # distance between layers
RADIUS_CM = 5.0  # Si(Li) detector radius (10 cm diameter)
THICKNESS_CM = 0.25  # 2.5 mm
NOISE_MEV = 0.0017  # ≈ 4 keV FWHM / 2.355 (Rogers et al. 2019: ≤ 4 keV FWHM)
THRESHOLD_MEV = 0.010  # assumption: 10 keV, well above noise and below the lowest X-ray

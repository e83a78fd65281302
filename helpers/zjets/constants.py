"""Numbers of the Z → μμ + jets simulation, each with its source or marked as our assumption.

ATLAS: arXiv:2405.20041 (PRL 133 (2024) 261803), the measurement this chapter imitates.
"""

# --- collisions (Pythia 8.317; process names from the Pythia 8 manual, "Weak Boson and Parton") ---
SQRT_S_GEV = 13000.0  # LHC Run 2 (ATLAS 2405.20041)
PTHAT_MIN_GEV = 180.0  # generator cut, below the 200 GeV fiducial cut on pT(μμ) so that
# recoil from initial-state radiation can lift events across it
# (our choice; the OmniFold paper used 150 GeV). Measured on 1,000 events
# generated from 160 GeV: 5 % of fiducial events have p̂T < 180 GeV;
# they are missing from every sample alike.
Z_MASS_WINDOW_GEV = (71.0, 111.0)  # generated γ*/Z mass range (our choice, wider than the fiducial window)

PROCESS_SETTINGS = (
    f"Beams:eCM = {SQRT_S_GEV:.0f}",
    "WeakBosonAndParton:qqbar2gmZg = on",  # q q̄ → γ*/Z g
    "WeakBosonAndParton:qg2gmZq = on",  # q g → γ*/Z q
    "23:onMode = off",  # Z decays to muons only
    "23:onIfAny = 13",
    f"PhaseSpace:pTHatMin = {PTHAT_MIN_GEV}",
    f"23:mMin = {Z_MASS_WINDOW_GEV[0]}",
    f"23:mMax = {Z_MASS_WINDOW_GEV[1]}",
    "Print:quiet = on",
    "Next:numberCount = 0",
)

# Three "worlds". Monash (Tune:pp = 14) is Pythia's default tune (Skands, Carrazza, Rojo, EPJC 74
# (2014) 3024); A14 (Tune:pp = 21) is the ATLAS tune (ATL-PHYS-PUB-2014-021). The pseudo-data
# additionally lowers the final-state shower coupling from A14's 0.127 to 0.118 (a deliberate,
# exaggerated change: less radiation → fewer tracks, lighter and narrower jets), so that the
# unfolding has something visible to recover (shared/notes/omnifold.md: Monash vs A14 alone moves
# ⟨m⟩ and ⟨n_ch⟩ by 4–5 %, the αs change by 8–12 %).
TUNES = {
    "mc": ("Tune:pp = 14",),
    "data": ("Tune:pp = 21", "TimeShower:alphaSvalue = 0.118"),
    "alt": ("Tune:pp = 21",),
}

# --- fiducial selection (particle level; shared/notes/omnifold.md: the selection used by third
# parties for the ATLAS release, unverified against the paper) ---
MUON_PT_MIN_GEV = 25.0
MUON_ETA_MAX = 2.4
MLL_WINDOW_GEV = (81.0, 101.0)
PTLL_MIN_GEV = 200.0
TRACK_PT_MIN_GEV = 0.5  # tracks entering track jets (ATLAS 2405.20041)
TRACK_ETA_MAX = 2.5  # inner-detector acceptance (ATLAS 2405.20041)
JET_R = 0.4  # anti-kT radius (ATLAS 2405.20041)
JET_PT_MIN_GEV = 10.0  # a track jet "exists" above this (our choice; the release's
# binning starts at 5 GeV, notes)
JET_ETA_MAX = 2.1  # jet axis at least R inside the tracker (our choice)
PION_MASS_GEV = 0.13957  # tracks get the pion mass, as in ATLAS tracking (PDG)
STORE_TRACK_PT_MIN_GEV = 0.4  # tracks kept on disk: a margin below 0.5 GeV so that smearing
# can move reconstructed tracks across the cut

# --- detector model (nominal). Approximations of published ATLAS performance; where we simplify,
# we say so. ---
# Muons: reconstruction × identification efficiency ≈ 0.96–0.99 for |η| < 2.5, with a gap at |η| < 0.1
# where the muon spectrometer is only partially instrumented (ATLAS, EPJC 81 (2021) 578, fig. 4,
# "Medium" working point). We use 0.97, and 0.70 in the gap (assumption, rounded).
MUON_EFFICIENCY = 0.97
MUON_GAP_ETA = 0.1
MUON_GAP_EFFICIENCY = 0.70
# Muon momentum resolution σ(pT)/pT = a ⊕ b·pT: 1.7 % (|η| < 1.05) / 2.3 % (outside) at low pT and about
# 10 % at 1 TeV (ATLAS, EPJC 76 (2016) 292, sec. 6) → a as quoted, b = 1e-4 / GeV.
MUON_RES_A = {"barrel": 0.017, "endcap": 0.023}
MUON_RES_B_PER_GEV = 1.0e-4
MUON_BARREL_ETA = 1.05
# Tracks: efficiency for charged primaries with pT > 0.5 GeV ≈ 0.9 at central η, falling towards
# 0.7–0.8 at |η| = 2.5 (ATLAS, ATL-PHYS-PUB-2015-051, "Early inner detector tracking performance in
# the 2015 data at 13 TeV", efficiency vs η). We take 0.90 flat to |η| = 1.3 and a linear fall to 0.80
# (a rounded reading: assumption). The further loss inside dense jet cores (ATLAS, EPJC 77 (2017) 673)
# is not modelled.
TRACK_EFF_CENTRAL = 0.90
TRACK_EFF_EDGE = 0.80
TRACK_EFF_FLAT_ETA = 1.3
# Track momentum resolution σ(pT)/pT = 0.05 % · pT[GeV] ⊕ 1 % (ATLAS inner-detector design, JINST 3
# (2008) S08003, table 1).
TRACK_RES_A = 0.01
TRACK_RES_B_PER_GEV = 5.0e-4
# Fake tracks from random hit combinations: a Poisson number per event with this mean, pT drawn from
# an exponential above 0.5 GeV with mean 1 GeV, uniform in η and φ (assumption: ATLAS quotes fake
# rates below 1 % of tracks for the standard selection, i.e. ≈ 0.5 per event at our multiplicities).
FAKE_TRACKS_PER_EVENT = 0.5
FAKE_TRACK_PT_MEAN_GEV = 1.0

# The two detector variations used as systematic uncertainties (our choices, sized like typical
# ATLAS uncertainties on these quantities): track efficiency lower by 2 points (absolute), and the
# muon resolution 30 % worse with the momentum scale 0.3 % higher.
DETECTOR_VARIATIONS = {
    "track_efficiency": {"track_efficiency_shift": -0.02},
    "muon_momentum": {"muon_resolution_scale": 1.3, "muon_scale": 1.003},
}

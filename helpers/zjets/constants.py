"""Numbers of the Z → μμ + jets simulation, each with its source or marked as our assumption.

ATLAS: arXiv:2405.20041 (PRL 133 (2024) 261803), the measurement this chapter imitates. ``SOURCES``
at the end registers every number with its bibliography key (book/references.bib); the book renders
it as chapter 5's "Sources and assumptions" page (helpers/sources.py).
"""

from helpers.sources import ASSUMPTION, DERIVED, MEASURED, Source

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
# unfolding has something visible to recover (measured here with this generator: Monash vs A14 alone
# moves ⟨m⟩ and ⟨n_ch⟩ of the leading jet by 4–5 %, the αs change by 8–12 %).
TUNES = {
    "mc": ("Tune:pp = 14",),
    "data": ("Tune:pp = 21", "TimeShower:alphaSvalue = 0.118"),
    "alt": ("Tune:pp = 21",),
}

# --- fiducial selection (particle level): the selection used by third parties with the ATLAS release,
# not checked line by line against the paper (assumptions in SOURCES below) ---
MUON_PT_MIN_GEV = 25.0
MUON_ETA_MAX = 2.4
MLL_WINDOW_GEV = (81.0, 101.0)
PTLL_MIN_GEV = 200.0
TRACK_PT_MIN_GEV = 0.5  # tracks entering track jets (ATLAS 2405.20041)
TRACK_ETA_MAX = 2.5  # inner-detector acceptance (ATLAS 2405.20041)
JET_R = 0.4  # anti-kT radius (ATLAS 2405.20041)
JET_PT_MIN_GEV = 10.0  # a track jet "exists" above this (our choice; the release's
# binning starts at 5 GeV)
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


# --- Sources of the numbers above, rendered as the book's "Sources and assumptions" page of chapter 5
# (book/sources-ch05.md; helpers/sources.py says what a registry must cover; tests/test_sources.py).
_THIRD_PARTY = "the selection used with the ATLAS release by third parties; not checked against the paper"
SOURCES = (
    Source("SQRT_S_GEV", "centre-of-mass energy", "GeV", "atlas2024omnifold", False, "LHC Run 2"),
    Source(
        "PTHAT_MIN_GEV",
        "generator cut on p̂T",
        "GeV",
        MEASURED,
        True,
        "below the 200 GeV cut on pT(μμ); 5 % of fiducial events have p̂T < 180 GeV (1,000 events from 160 GeV)",
    ),
    Source("Z_MASS_WINDOW_GEV", "generated γ*/Z mass range", "GeV", ASSUMPTION, True, "wider than the fiducial window"),
    Source("TUNES.mc", "simulation: Pythia's default tune (Monash)", "", "skands2014monash", False),
    Source("TUNES.alt", "alternative simulation: the ATLAS A14 tune", "", "atlas2014a14", False),
    Source(
        "TUNES.data",
        "pseudo-data: A14 with a lower final-state αs",
        "",
        ASSUMPTION,
        True,
        "a deliberate change (A14's 0.127 → 0.118) so that unfolding has something visible to recover",
    ),
    Source("MUON_PT_MIN_GEV", "muon pT threshold", "GeV", "atlas2024omnifold", True, _THIRD_PARTY),
    Source("MUON_ETA_MAX", "muon |η| limit", "", "atlas2024omnifold", True, _THIRD_PARTY + " (2.4 or 2.5)"),
    Source("MLL_WINDOW_GEV", "dimuon mass window", "GeV", "atlas2024omnifold", True, _THIRD_PARTY),
    Source("PTLL_MIN_GEV", "dimuon pT threshold", "GeV", "atlas2024omnifold", False),
    Source("TRACK_PT_MIN_GEV", "pT of tracks entering track jets", "GeV", "atlas2024omnifold", True, _THIRD_PARTY),
    Source("TRACK_ETA_MAX", "track |η| limit (inner detector)", "", "atlas2024omnifold", True, _THIRD_PARTY),
    Source("JET_R", "anti-kT radius of track jets", "", "atlas2024omnifold", True, _THIRD_PARTY),
    Source(
        "JET_PT_MIN_GEV",
        "a track jet exists above this pT",
        "GeV",
        ASSUMPTION,
        True,
        "the release's binning starts at 5 GeV",
    ),
    Source("JET_ETA_MAX", "track-jet axis |η| limit", "", ASSUMPTION, True, "the jet at least R inside the tracker"),
    Source("PION_MASS_GEV", "mass given to tracks (charged pion)", "GeV", "pdg2024", False),
    Source(
        "STORE_TRACK_PT_MIN_GEV",
        "tracks kept on disk",
        "GeV",
        ASSUMPTION,
        True,
        "a margin below 0.5 GeV so that smearing can move tracks across the cut",
    ),
    Source(
        "MUON_EFFICIENCY",
        "muon reconstruction × identification efficiency",
        "",
        "atlas2021muons",
        True,
        "0.96–0.99 for the Medium working point, rounded",
    ),
    Source("MUON_GAP_ETA", "|η| of the muon-spectrometer gap", "", "atlas2021muons", False),
    Source("MUON_GAP_EFFICIENCY", "muon efficiency in the gap", "", "atlas2021muons", True, "rounded reading"),
    Source("MUON_RES_A.barrel", "muon σ(pT)/pT at low pT, |η| < 1.05", "", "atlas2016muons", False),
    Source("MUON_RES_A.endcap", "muon σ(pT)/pT at low pT, |η| > 1.05", "", "atlas2016muons", False),
    Source(
        "MUON_RES_B_PER_GEV",
        "muon σ(pT)/pT term ∝ pT",
        "1/GeV",
        "atlas2016muons",
        False,
        "≈ 10 % at 1 TeV",
    ),
    Source("MUON_BARREL_ETA", "barrel/end-cap boundary for muons", "", "atlas2016muons", False),
    Source(
        "TRACK_EFF_CENTRAL",
        "track efficiency, central",
        "",
        "atlas2015tracking",
        True,
        "a rounded reading of the efficiency vs η; losses in dense jet cores are not modelled",
    ),
    Source("TRACK_EFF_EDGE", "track efficiency at |η| = 2.5", "", "atlas2015tracking", True, "rounded reading"),
    Source("TRACK_EFF_FLAT_ETA", "|η| where the efficiency starts to fall", "", "atlas2015tracking", True),
    Source("TRACK_RES_A", "track σ(pT)/pT, constant term", "", "atlas2008detector", False, "design value"),
    Source("TRACK_RES_B_PER_GEV", "track σ(pT)/pT term ∝ pT", "1/GeV", "atlas2008detector", False, "design value"),
    Source(
        "FAKE_TRACKS_PER_EVENT",
        "mean fake tracks per event",
        "",
        ASSUMPTION,
        True,
        "ATLAS quotes fake rates below 1 % of tracks for the standard selection",
    ),
    Source("FAKE_TRACK_PT_MEAN_GEV", "mean pT of fake tracks above 0.5 GeV", "GeV", ASSUMPTION, True),
    Source(
        "DETECTOR_VARIATIONS.track_efficiency.track_efficiency_shift",
        "systematic: track efficiency shift",
        "",
        ASSUMPTION,
        True,
        "sized like typical ATLAS uncertainties",
    ),
    Source(
        "DETECTOR_VARIATIONS.muon_momentum.muon_resolution_scale",
        "systematic: muon resolution scale",
        "",
        ASSUMPTION,
        True,
        "sized like typical ATLAS uncertainties",
    ),
    Source(
        "DETECTOR_VARIATIONS.muon_momentum.muon_scale",
        "systematic: muon momentum scale",
        "",
        ASSUMPTION,
        True,
        "sized like typical ATLAS uncertainties",
    ),
    Source("MUON_MASS_GEV", "muon mass", "GeV", "pdg2024", False, module="helpers.zjets.observables"),
    Source(
        "PRESELECTION",
        "loose cuts applied when events are stored",
        "GeV, —",
        ASSUMPTION,
        True,
        "looser than the fiducial selection, so that smearing can move events across it",
        module="helpers.zjets.data",
    ),
    Source(
        "MEDIAN_ERROR_FACTOR",
        "standard error of a median / that of a mean",
        "",
        DERIVED,
        False,
        "√(π/2) for Gaussian replicas; the ATLAS release's ensemble error",
        module="helpers.unfolding.release",
    ),
)

"""Every notebook at its smoke profile: the numbers it reports must be right."""

from pathlib import Path

import numpy as np
import pytest

from helpers.pipeline import run
from helpers.pipeline.metrics import read_metrics

pytestmark = pytest.mark.notebooks


def test_every_notebook_wrote_metrics(smoke_runs, smoke_metrics):
    executed = {p.stem for p in smoke_runs.rglob("*.ipynb")}
    assert set(smoke_metrics) == executed
    for _name, m in smoke_metrics.items():
        assert m["wall_time_s"] > 0
    manifest = run.read_manifest(smoke_runs / "smoke")["notebooks"]
    assert {Path(k).stem for k, e in manifest.items() if e["status"] == "ok"} == executed


def test_01_perceptron(smoke_metrics):
    m = smoke_metrics["01-perceptron"]["metrics"]
    assert m["gates_correct"] == {"AND": True, "OR": True, "NAND": True}
    assert m["and_thesis_weights_correct"] is True
    assert m["converged_fraction"]["AND"] == m["converged_fraction"]["OR"] == m["converged_fraction"]["NAND"] == 1.0
    assert m["converged_fraction"]["XOR"] == 0.0  # never linearly separable
    assert m["xor_best_single_layer_accuracy"] == 0.75  # 3 of 4 rows at best (Minsky & Papert)
    assert m["xor_two_layer_accuracy"] == 1.0
    assert m["keras_agreement"] == 1.0


def test_02_neural_networks(smoke_metrics):
    m = smoke_metrics["02-neural-networks"]["metrics"]
    assert max(m["gradcheck_rel_error"].values()) < 1e-6
    assert max(m["derivative_rel_error"].values()) < 1e-6
    assert max(m["keras_activation_max_diff"].values()) < 1e-5
    assert max(m["loss_checks"].values()) < 1e-5  # Keras MSE = 2E/K, CCE = eq. 2.7
    assert m["numpy_keras_max_loss_diff"] < 1e-5  # same loss after every step
    assert m["numpy_keras_max_weight_diff"] < 1e-4
    assert m["optimiser_keras_max_diff"]["SGD"] < 1e-5
    assert m["optimiser_keras_max_diff"]["momentum"] < 1e-5
    assert m["optimiser_keras_max_diff"]["Adam"] < 1e-4  # ε placement differs (see notebook)
    assert m["final_loss_numpy"] < 0.69  # below chance level ln 2 after training


def test_03_cnn_layers(smoke_metrics):
    m = smoke_metrics["03-cnn-layers"]["metrics"]
    assert m["thesis_conv"] == [[15, 16], [6, 15]]  # thesis fig. 2.4
    assert m["thesis_conv_keras"] == [[15, 16], [6, 15]]
    assert m["thesis_maxpool"] == [[2, 3], [3, 2]]  # thesis fig. 2.5
    assert m["output_size_formula_matches_keras"] is True
    assert m["conv_max_abs_diff"] < 1e-5
    assert m["pool_max_abs_diff"] < 1e-5
    assert m["dense_max_abs_diff"] < 1e-5
    assert m["cnn_forward_max_abs_diff"] < 1e-5
    assert m["params_by_hand"] == m["params_keras"]
    for stride in m["conv_grad_rel_error"].values():
        assert max(stride.values()) < 1e-6


def test_04_overfitting(smoke_metrics):
    m = smoke_metrics["04-overfitting"]["metrics"]
    d = m["dropout_checks"]
    for key in ("numpy_dropped_fraction", "keras_dropped_fraction"):
        assert abs(d[key] - 0.5) < 5 * d["binomial_std_of_fraction"]
    assert d["keras_kept_scale_max_error"] < 1e-6
    assert d["keras_inference_is_identity"] is True
    for key in ("numpy_mean_ratio", "keras_mean_ratio"):
        assert abs(d[key] - 1) < 0.02  # expectation preserved
    for _name, r in m["results"].items():
        assert r["test_accuracy"]["n"] >= 2
        assert 0.1 < r["test_accuracy"]["mean"] <= 1.0  # above chance (10 classes) even at smoke size
        assert r["test_accuracy"]["sem"] <= r["test_accuracy"]["std"]


def test_same_seed_same_metrics(smoke_metrics, tmp_path):
    """A second run of a training notebook with the same seed reproduces its metrics exactly."""
    assert (
        run.main(["notebooks/01-perceptron-to-cnn/04-overfitting.ipynb", "--profile", "smoke", "--out", str(tmp_path)])
        == 0
    )
    again = read_metrics(tmp_path / "smoke" / "01-perceptron-to-cnn" / "04-overfitting.metrics.json")
    assert again["metrics"] == smoke_metrics["04-overfitting"]["metrics"]


def test_02_01_simulating_gaps_events(smoke_metrics):
    m = smoke_metrics["01-simulating-gaps-events"]["metrics"]
    assert max(abs(d) for d in m["range_deviation_from_pstar"]) < 0.02
    assert 1.98 < m["range_ratio_dbar_pbar"]["min"] <= m["range_ratio_dbar_pbar"]["max"] < 2.02
    assert abs(m["pion_one_layer"]["most_probable"] - 0.78) < 0.078
    assert abs(m["pion_one_layer"]["mean"] - 0.99) < 0.099
    assert m["pion_one_layer"]["stopped"] == 0
    assert abs(m["slow_antiproton_sigma"] - 0.213) < 0.02
    for inc in ("fixed", "random"):
        p, d = m["features"][f"antiproton_{inc}"], m["features"][f"antideuteron_{inc}"]
        assert d["total_deposit"]["mean"] > p["total_deposit"]["mean"]
        assert d["maximum_deposit"]["mean"] > p["maximum_deposit"]["mean"]
    # the chapter's 40 MeV/n beam: both species' ranges (1.9 and 3.8 g/cm²) are shorter than the
    # tracker's 5.8 g/cm², so at 0° every primary that enters a disk stops and the acceptance is the
    # silicon's share of the plane, π (5 cm)² / (13 cm)² = 0.4647; at random incidence the
    # antideuteron's longer track leaves the tracker more often, so fewer antideuterons are accepted
    for sp in ("antiproton", "antideuteron"):
        a = m["acceptance"][f"{sp}_fixed"]
        assert abs(a["fraction"] - np.pi * 25 / 169) < 3 * a["binomial_error"], (sp, a)
    assert m["acceptance"]["antideuteron_random"]["fraction"] < m["acceptance"]["antiproton_random"]["fraction"]
    assert (
        m["features"]["antideuteron_fixed"]["annihilation_layer"]["mean"]
        > m["features"]["antiproton_fixed"]["annihilation_layer"]["mean"]
    )


def test_02_02_cnn_classifier(smoke_metrics):
    m = smoke_metrics["02-cnn-classifier"]["metrics"]
    assert set(m["results"]) == {"fixed_3d", "fixed_2d", "random_3d", "random_2d"}
    for r in m["results"].values():
        assert r["test_accuracy"]["n"] >= 2 and 0.0 <= r["test_accuracy"]["mean"] <= 1.0
        assert r["test_auc"]["mean"] > 0.5  # better than chance even at smoke size
        assert r["rejection"]["mean"] >= 1.0


def test_02_03_grad_cam(smoke_metrics):
    m = smoke_metrics["03-grad-cam"]["metrics"]
    assert m["gradient_fd_rel_error"] < 1e-8
    # Grad-CAM explains the antideuteron logit: for antideuteron events its peak must sit at the
    # annihilation point more often than a randomly chosen hit does (binomial errors, both incidences)
    a = [m["attention_near_annihilation"][inc]["antideuteron"] for inc in ("fixed", "random")]
    n = m["n_test_antideuteron"]
    peak = np.mean([x["gradcam_peak"] for x in a])
    rand = np.mean([x["random_hit"] for x in a])
    se = np.sqrt((peak * (1 - peak) + rand * (1 - rand)) / (2 * n))
    assert peak - rand > 1.5 * se, (peak, rand, se)


def test_02_04_nmf(smoke_metrics):
    m = smoke_metrics["04-nmf"]["metrics"]
    for _key, s in m["spread"].items():
        assert s["event_participation"]["mean"] >= 1.0  # at least one detector
        assert s["basis_participation"]["mean"] >= 1.0
    for e in m["reconstruction_error"].values():
        assert e["k_large"] < e["k_small"] <= 1.0 + 1e-9  # more bases reconstruct better


def test_02_05_binarised_and_06_beyond(smoke_metrics):
    m5 = smoke_metrics["05-binarised"]["metrics"]
    assert set(m5["results"]) == {"fixed_raw", "fixed_binarised", "random_raw", "random_binarised"}
    for s in m5["gradcam_weight_before_annihilation"].values():
        assert 0.0 <= s["mean"] <= 1.0
    m6 = smoke_metrics["06-beyond"]["metrics"]
    assert len(m6["results"]) == 6
    for r in m6["results"].values():
        assert r["test_auc"]["mean"] > 0.5


def _pstar_range(T_mev):
    """CSDA range of protons in silicon (g/cm²), log-log interpolated in NIST PSTAR's table."""
    from helpers.gaps import constants as C

    return float(np.exp(np.interp(np.log(T_mev), np.log(C.PSTAR_T_MEV), np.log(C.PSTAR_RANGE))))


def test_02_07_which_generator(smoke_metrics):
    m = smoke_metrics["07-which-generator"]["metrics"]
    assert {"uniform_beta", "mono_per_nucleon"} <= set(m["results"])
    # a 40 MeV/n beam at 0°: every primary stops where PSTAR's range runs out, counted in 2.5 mm
    # layers of silicon — the antiproton at R(40 MeV), the antideuteron at twice that (same speed,
    # twice the mass) — give or take one layer of straggling
    layer_g_cm2 = 2.33 * 0.25
    for sp, R in (("antiproton", _pstar_range(40.0)), ("antideuteron", 2 * _pstar_range(40.0))):
        s = m["stopping_layer_fixed"][f"mono_per_nucleon.{sp}"]
        assert s["modal_layer"] == int(R // layer_g_cm2), (sp, s, R)
        assert s["within_one_of_mode"] > 0.95
    # under the broad spectrum the two species' stopping depths overlap: no single depth each
    for sp in ("antiproton", "antideuteron"):
        assert m["stopping_layer_fixed"][f"uniform_beta.{sp}"]["within_one_of_mode"] < 0.8
    # the study's largest single deposit (37.2 MeV antideuterons, 29.6 antiprotons; variances
    # 363.2, 249.1): under the beam at 0° ours within 15 % in the mean, a factor 1.5 in variance
    for sp, study in m["study_maximum_deposit"].items():
        ours = m["maximum_deposit"]["mono_per_nucleon.fixed"][sp]
        assert abs(ours["mean"] / study["mean"] - 1) < 0.15, (sp, ours)
        assert 1 / 1.5 < ours["variance"] / study["variance"] < 1.5, (sp, ours)
    assert m["study_maximum_deposit"]["antideuteron"] == {"mean": 37.2, "variance": 363.2}
    # the depth names the species under the beam, not under the broad spectrum: boosted trees on
    # the global features at 0° are near-perfect under the beam and lower under uniform β by more
    # than two binomial standard errors
    n = m["n_test"]
    beam = m["baseline"]["mono_per_nucleon"]["fixed"]["features"]["mean"]
    broad = m["baseline"]["uniform_beta"]["fixed"]["features"]["mean"]
    assert beam >= 0.95
    assert beam - broad > 2 * np.sqrt(broad * (1 - broad) / n), (beam, broad, n)
    assert m["closest"] in m["results"] and m["distance_from_study"][m["closest"]] == min(
        m["distance_from_study"].values()
    )


def test_05_01_why_unfold(smoke_metrics):
    m = smoke_metrics["01-why-unfold"]["metrics"]
    assert m["folding_triangular"] < 1.0  # folding the truth reproduces the data
    assert m["ibu_triangular"][-1] < m["ibu_triangular"][0]  # iterations move towards the truth
    assert m["ibu_triangular"][-1] < m["bin_by_bin_triangular"]
    assert abs(m["ibu_mean"][-1] - m["truth_mean"]) < abs(m["ibu_mean"][0] - m["truth_mean"])


def test_05_02_omnifold_toy(smoke_metrics):
    m = smoke_metrics["02-omnifold-toy"]["metrics"]
    assert m["triangular"]["OmniFold"] < m["triangular"]["prior"]
    assert m["wasserstein"]["OmniFold"] < m["wasserstein"]["prior"]
    assert m["rho_unfolded"] > 0.1  # the simulation has none
    for v in m["derived_triangular"].values():
        assert v["unfolded"] < v["prior"]


def test_05_03_trust(smoke_metrics):
    m = smoke_metrics["03-trust"]["metrics"]
    assert m["closure"]["mean_abs_weight_minus_1"] < 0.2
    assert abs(m["closure"]["weighted_mean"]) < 0.1
    assert m["chi2"]["ndf"] >= 1 and m["chi2"]["value"] >= 0
    for v in m["relative_uncertainty_median"].values():
        assert v >= 0


def test_05_04_zjets_events(smoke_metrics):
    m = smoke_metrics["04-zjets-events"]["metrics"]
    # the dimuon mass peaks at the Z (91.19 GeV, PDG) inside the 81-101 GeV window
    assert 89.5 < m["m_ll_median"] < 92.5
    # σ(p̂T > 180 GeV) ≈ 2.7-2.9 pb for every tune; the fiducial share ≈ 40 %
    for w in ("mc", "data", "alt"):
        assert 2.0 < m["sigma_pb"][w] < 3.6
        assert 0.3 < m["fiducial_sigma_pb"][w] / m["sigma_pb"][w] < 0.5
    assert m["tau_hand_check"] < 1e-9  # τ_N = the hand calculation
    assert abs(sum(m["jet_shares"]) - 1) < 1e-9 and m["jet_shares"][2] > m["jet_shares"][0]
    # the detector loses tracks (efficiency 0.8-0.9) and events (muons, pT(μμ) migration), adds a few fakes
    assert 0.82 < m["ntracks_ratio"] < 0.95
    assert 0.75 < m["efficiency"] < 0.97 and 0.0 < m["fake_fraction"] < 0.1
    assert m["correlation"]["pT_ll"] > 0.95 and m["correlation"]["Ntracks_trackj1"] > 0.8
    # less final-state radiation in the pseudo-data: fewer tracks in the leading jet
    s = m["shifts"]["Ntracks_trackj1"]
    assert s["shift"] < 0


def test_05_05_multifold_zjets(smoke_metrics):
    m = smoke_metrics["05-multifold-zjets"]["metrics"]
    assert set(m["delta_unfolded"]) == set(m["delta_prior"]) == set(m["delta_ibu"])
    assert len(m["delta_unfolded"]) == 24
    assert m["weights_min"] >= 0 and np.isfinite(m["weights_max"])
    assert m["closure"]["mean_abs_weight_minus_1"]["mean"] < 0.5
    assert m["delta_unfolded_mean"]["n"] == m["n_repeats"] == 2 and m["delta_unfolded_mean"]["std"] >= 0
    # the fiducial cross-section comes back within 5 standard errors of the truth's statistics
    s = m["sigma_unfolded_pb"]["mean"]
    assert abs(s - m["sigma_true_pb"]) < 5 * m["sigma_true_stat_pb"] + 0.05 * m["sigma_true_pb"]
    assert len(m["delta_iterations"]) == m["n_iterations"]
    # the per-observable MultiFold distance is the mean over repeats, consistent with the summary
    assert np.mean(list(m["delta_unfolded"].values())) == pytest.approx(m["delta_unfolded_mean"]["mean"], rel=1e-9)


def test_05_06_uncertainties_release(smoke_metrics):
    m = smoke_metrics["06-uncertainties-release"]["metrics"]
    assert m["weights_finite"]
    assert m["replicas"] == {"ensemble": 2, "bootstrap_data": 2, "bootstrap_mc": 2}
    assert m["systematics"] == ["weights_muon_momentum", "weights_prior", "weights_track_efficiency"]
    # 24 observables + weight_mc + nominal + 6 replicas + 3 systematics + weights_dd + target_dd
    assert m["n_columns"] == 24 + 1 + 1 + 6 + 3 + 2
    assert abs(m["sigma_nominal_pb"] / m["sigma_true_pb"] - 1) < 0.25
    assert m["ndf_sum"] >= 24 * 2 and m["chi2_sum"] >= 0
    assert m["breakdown"]["total"] >= max(v for k, v in m["breakdown"].items() if k != "total") - 1e-12


def test_03_01_synthetic_sky(smoke_metrics):
    m = smoke_metrics["01-synthetic-sky"]["metrics"]
    assert 0.08 < m["median_z"] < 0.11
    # GZ1: 28.5 / 9.3 / 62.2 %; thesis sample 27.1 / 10.4 / 62.5 %
    assert 0.22 < m["share_spiral"]["mean"] < 0.32
    assert 0.07 < m["share_elliptical"]["mean"] < 0.14
    assert 0.56 < m["share_uncertain"]["mean"] < 0.68
    # UNCERTAIN grows with redshift: nearest vs farthest quarter, beyond 2.5 binomial sigma
    quarter = m["n_galaxies"] / 4
    err = np.hypot(*(np.sqrt(u * (1 - u) / quarter) for u in (m["uncertain_far"], m["uncertain_near"])))
    assert m["uncertain_far"] - m["uncertain_near"] > 2.5 * err
    # debiasing (Bamford et al. 2009) takes out most of the raw early-type fraction's rise with z
    assert m["debias_rise"]["raw"] > 3 * m["debias_rise_err"]["raw"]
    assert m["debias_rise"]["debiased"] < m["debias_rise"]["raw"]
    assert m["spiral_purity"] > 0.95  # SPIRAL needs visible arms
    # distant spirals keep knots and blue colours: they fall into UNCERTAIN more than ELLIPTICAL
    assert 0 <= m["elliptical_true_spiral"] < 0.3
    assert m["psf_fwhm_fit_sdss"] == pytest.approx(1.43, rel=0.05)
    assert m["psf_fwhm_fit_hsc"] == pytest.approx(0.60, rel=0.05)
    assert 0.85 < m["match_chi2"]["mean"] < 1.15  # HSC re-observed = SDSS within noise
    assert 0.85 < m["arm_snr_ratio_median"] < 1.25  # arm contrast per element: model vs images
    assert m["arm_snr_within"] >= 0.8
    assert abs(m["pitch_fitted"] - m["pitch_catalogue"]) < 3  # log arms at the catalogue pitch
    assert abs(m["bar_share"] - 0.294) < 0.05  # Masters et al. 2011: 29.4 % of GZ2 disks barred
    assert m["field_sources_hsc"]["mean"] > 5 * m["field_sources_sdss"]["mean"]
    assert m["galaxies_per_s_sdss"] > 5


def test_03_02_cnn_and_uncertain(smoke_metrics):
    m = smoke_metrics["02-cnn-and-uncertain"]["metrics"]
    assert m["n_params"] == 3_448_259  # 3 convolutions + 1024 + 1024 + softmax
    assert 0.6 < m["dense_share"] < 0.75
    for key in ("three_class", "two_class"):
        s = m[key]
        cm = np.array(s["confusion_mean"])
        assert abs(np.trace(cm) / cm.sum() - s["accuracy"]["mean"]) < 0.01  # test sizes differ by a galaxy or two
        assert s["accuracy"]["n"] == m["n_repeats"]
    u = m["uncertain"]
    assert u["n"] > 0 and 0.3 < u["true_spiral_fraction"] < 0.9  # uncertain = mostly spirals


def test_03_03_class_imbalance(smoke_metrics):
    m = smoke_metrics["03-class-imbalance"]["metrics"]
    for name in ("imbalanced", "balanced"):
        r = m["results"][name]
        assert -1 <= r["honest"]["tss"]["mean"] <= 1
        # each run's best test epoch (an oracle) bounds both the thesis's and the honest choice
        assert r["oracle"]["accuracy"]["mean"] >= r["honest"]["accuracy"]["mean"] - 1e-9
        assert r["oracle"]["accuracy"]["mean"] >= r["thesis"]["accuracy"]["mean"] - 1e-9
    assert abs(m["results"]["balanced"]["train_spirals_per_elliptical"] - 1) < 0.05
    assert m["results"]["imbalanced"]["train_spirals_per_elliptical"] > 1.5


def test_03_04_beyond(smoke_metrics):
    m = smoke_metrics["04-beyond"]["metrics"]
    assert set(m["results"]) == {"baseline", "class weights", "augmentation", "vote fractions"}
    assert 0.7 < m["label_truth_agreement"] < 0.99  # flags err: edge-on S0s vote spiral, some spirals lose arms
    for r in m["results"].values():
        assert 0 <= r["truth_accuracy"]["mean"] <= 1


def test_03_05_real_catalogue(smoke_metrics):
    m = smoke_metrics["05-real-catalogue"]["metrics"]
    assert m["n_missing"] == m["missing_expected"] >= 1  # missing cutouts skipped and counted, not fatal
    assert m["n_loaded"] == m["n_rows"] - m["n_missing"]
    assert m["roundtrip_max_abs_diff"] == 0.0  # FITS at the SDSS scale come back bit for bit
    # the published rounding: 0.01 s of RA (0.15" x cos DEC), 0.1" of DEC; at most half of each
    assert m["coord_max_error_arcsec"]["ra"] <= 0.075 + 1e-6 and m["coord_max_error_arcsec"]["dec"] <= 0.05 + 1e-6
    assert m["source_pixel_scales"] == [0.168, 0.396]  # the HSC-like cutout was read at its own scale
    f = m["resampled_flux"]
    assert abs(f["resampled"] - f["hsc"]) < 1e-4 * abs(f["hsc"]) + 1e-3  # INTER_AREA x pixel count keeps flux
    assert abs(f["resampled"] - f["sdss"]) < 5 * f["noise"] + 0.03 * abs(f["sdss"])
    assert m["accuracy"]["n"] == m["n_repeats"] and 0 <= m["accuracy"]["mean"] <= 1
    assert 0.7 < m["label_truth_agreement"] <= 1


def test_04_01_shrink_and_enlarge(smoke_metrics):
    m = smoke_metrics["01-shrink-and-enlarge"]["metrics"]
    assert m["pitfall"]["keyword_equals_block_mean"] and m["pitfall"]["positional_equals_bilinear"]
    acc = m["accuracy"]
    assert {f"{meth}/{f}" for meth in ("nearest", "bilinear", "bicubic") for f in range(2, 9)} <= set(acc)
    assert all(0 <= a["mean"] <= 1 and a["n"] == m["n_repeats"] for a in acc.values())
    for variant, fmt in (("thesis", "{m}/{f}"), ("re-noised", "{m}+noise/{f}")):
        for meth, drops in m["drops"][variant].items():  # paired drop = original − degraded, same models
            for f, d in drops.items():
                assert abs(d["mean"] - (acc["original"]["mean"] - acc[fmt.format(m=meth, f=f)]["mean"])) < 1e-9
        assert all(u in range(1, 9) for u in m["usable_factor"][variant].values())
    a = m["anomaly"]
    assert a["grid_phase_dsize"]["6"] == 0.5 and a["grid_phase_dsize"]["8"] == 0.0
    assert abs(a["grid_phase_fx"]["6"] - 1 / 3) < 1e-12
    for f in ("6", "7"):  # averaging can only lower the central surface brightness
        assert len(a["central_sb_retained"][f]) == int(f)
        assert all(0.05 < r < 1 for r in a["central_sb_retained"][f])
    assert m["timing_ratio"]["nearest"] == 1.0 and m["timing_ratio"]["bicubic"] > 1.2
    assert all(1 <= e <= m["epochs"] for e in m["chosen_epochs"])


def test_04_02_sample_size(smoke_metrics):
    m = smoke_metrics["02-sample-size"]["metrics"]
    sizes = m["sizes"]
    for n in sizes:  # 7:3 split of 2 n galaxies
        assert abs(m["n_test"][str(n)] - 0.6 * n) <= 1
        assert m["accuracy"][str(n)]["original"]["n"] == m["n_repeats"]
    want = np.sqrt(m["n_test"][str(sizes[0])] / m["n_test"][str(sizes[-1])])
    assert abs(m["binomial_std_ratio"] - want) < 1e-12
    for s in m["spread"].values():
        assert abs(s["binomial_ratio"] - want) < 0.15  # accuracies differ a little between sizes


def test_04_03_hsc_to_sdss(smoke_metrics):
    m = smoke_metrics["03-hsc-to-sdss"]["metrics"]
    assert m["parameters"]["64"] == 3_447_234  # chapter 3's network with 2 outputs
    assert 5 < m["parameters"]["151"] / m["parameters"]["64"] < 7
    assert set(m["accuracy"]) == {"SDSS→SDSS", "HSC→HSC", "HSC→SDSS", "matched→matched", "matched→SDSS"}
    assert m["hidden_arm_spirals"] >= 1  # arms that only HSC shows exist
    assert 0.7 < m["labels_vs_truth"] < 0.99
    for name, d in m["paired"].items():
        a, b = name.split(" − ")
        assert abs(d["mean"] - (m["accuracy"][a]["mean"] - m["accuracy"][b]["mean"])) < 1e-9


def test_04_04_closing_the_gap(smoke_metrics):
    m = smoke_metrics["04-closing-the-gap"]["metrics"]
    acc = m["accuracy"]
    assert set(acc) == {"plain", "degradation-augmented"}
    for k, g in m["gain"].items():
        assert abs(g["mean"] - (acc["degradation-augmented"][k]["mean"] - acc["plain"][k]["mean"])) < 1e-9
    assert m["worst"]["plain"] == min(v["mean"] for k, v in acc["plain"].items() if k != "original")

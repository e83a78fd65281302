"""The synthetic sky: geometry, PSFs, flux, the two surveys agreeing, votes and flags, files."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.galaxies.sky import constants as C
from helpers.galaxies.sky import data as D
from helpers.galaxies.sky import measure as M
from helpers.galaxies.sky import population as P
from helpers.galaxies.sky import render as R
from helpers.galaxies.sky import votes as V


@pytest.fixture(scope="module")
def cat15k():
    return D.load_catalogue(15_000, seed=0)


def _row(cat, i):
    return {k: v[i] for k, v in cat.items()}


# ------------------------------------------------------------------------ geometry and seeing
def test_pixel_scales_and_stamps_cover_the_same_sky():
    assert C.SDSS.pixel_scale == 0.396 and C.HSC.pixel_scale == 0.168
    assert C.SDSS.stamp == 64 and C.HSC.stamp == 151
    assert abs(C.SDSS.extent - C.HSC.extent) / C.SDSS.extent < 0.005  # 25.34" vs 25.37"
    cat = D.load_catalogue(200, seed=3)
    imgs = R.render(cat, [0, 1], ("sdss", "hsc"), progress=False)
    assert imgs["sdss"].shape == (2, 64, 64) and imgs["hsc"].shape == (2, 151, 151)
    assert imgs["sdss"].dtype == np.float32


def test_cosmology_matches_published_scales():
    # flat LCDM, H0 = 70, Om = 0.3: 0.98, 1.84, 3.30 kpc per arcsec (astropy's FlatLambdaCDM(70, 0.3) gives
    # 0.977, 1.844, 3.300: kpc_proper_per_arcmin / 60)
    np.testing.assert_allclose(P.kpc_per_arcsec([0.05, 0.1, 0.2]), [0.98, 1.84, 3.30], atol=0.01)


# Published median seeing: SDSS r 1.43" (DR7 imaging), HSC-SSP Wide i 0.6" (Aihara et al. 2018).
# A Moffat profile (1 + r²/α²)^-β with β = 3 has FWHM = 2α √(2^(1/β) − 1), so at r = FWHM its
# intensity is (1 + 4 (2^(1/3) − 1))^-3 = 0.1178 of the peak; a Gaussian of the same FWHM has 2^-4.
MOFFAT3_AT_FWHM = (1 + 4 * (2 ** (1 / 3) - 1)) ** -3


@pytest.mark.parametrize("survey, published", [("sdss", 1.43), ("hsc", 0.60)])
def test_psf_has_the_published_seeing_and_moffat_wings(survey, published):
    s = C.survey(survey)
    scale = published / 40  # 40 fine pixels per FWHM
    fine = R.psf(s).drawImage(scale=scale, nx=401, ny=401, method="no_pixel").array
    assert fine.max() == fine[200, 200]
    # FWHM by hand: where the profile along a row crosses half its peak (linear interpolation)
    row = fine[200, 200:] / fine[200, 200]
    k = int(np.argmax(row < 0.5))
    r_half = (k - 1) + (row[k - 1] - 0.5) / (row[k - 1] - row[k])
    assert 2 * r_half * scale == pytest.approx(published, rel=0.03)
    # the wings of a Moffat with β = 3: intensity at one FWHM from the centre
    assert row[40] == pytest.approx(MOFFAT3_AT_FWHM, rel=0.05)
    assert abs(row[40] - 2.0**-4) > 0.04  # not a Gaussian
    # a (nearly) point-like galaxy drawn by the production path, with noise, fitted through the pixel
    row = _row(D.load_catalogue(50, seed=1), 0)
    row.update(type=0, r50=0.005, flux=5e4, sersic_n=1.0, q=1.0, **{f"psf_{s.name}": 1.1 * published})
    stamp = R.draw(R.intrinsic_profile(row), s, row[f"psf_{s.name}"], noise_seed=11)
    assert M.fit_fwhm(stamp, s.name) == pytest.approx(1.1 * published, rel=0.05)


def test_seeing_distribution_matches_sdss_quartiles(cat15k):
    q1, q2, q3 = np.percentile(cat15k["psf_sdss"], [25, 50, 75])
    assert q2 == pytest.approx(1.43, abs=0.03)
    assert q1 == pytest.approx(1.30, abs=0.04) and q3 == pytest.approx(1.58, abs=0.04)


def test_noise_level_gives_the_survey_depths():
    # 5-sigma point-source depth in a 2" aperture: HSC Wide r ~ 26 (notes); SDSS ~ 22.2-23
    for s, lo, hi in ((C.HSC, 25.7, 26.4), (C.SDSS, 22.2, 23.3)):
        npix = np.pi * 1.0**2 / s.pixel_scale**2
        depth = C.NMGY_ZERO_POINT - 2.5 * np.log10(5 * s.sigma_pixel * np.sqrt(npix))
        assert lo < depth < hi, (s.name, depth)
    blank = R.draw(
        R.intrinsic_profile({**_row(D.load_catalogue(10, seed=0), 0), "flux": 1e-9}), "sdss", 1.4, noise_seed=5
    )
    assert np.std(blank) == pytest.approx(C.SDSS.sigma_pixel, rel=0.05)


# ----------------------------------------------------------------------------------- flux
def test_flux_is_conserved_in_both_surveys():
    cat = D.load_catalogue(400, seed=2)
    import galsim

    idx = np.flatnonzero(cat["r50"] < 2.0)[:12]
    imgs = R.render(cat, idx, ("sdss", "hsc"), noise=False, progress=False)
    # on a stamp wide enough to hold the Sersic wings, all of the catalogue's flux is drawn
    for i in idx[:6]:
        row = _row(cat, int(i))
        big = galsim.Convolve([R.intrinsic_profile(row), R.psf("sdss", row["psf_sdss"])]).drawImage(
            nx=512, ny=512, scale=C.SDSS.pixel_scale
        )
        assert big.array.sum() == pytest.approx(row["flux"], rel=0.01)
    # the 25" cutouts keep most of it: at least 93 % for these compact galaxies
    frac = imgs["sdss"].sum(axis=(1, 2)) / cat["flux"][idx]
    assert np.all((frac > 0.93) & (frac < 1.005))
    np.testing.assert_allclose(imgs["hsc"].sum(axis=(1, 2)), imgs["sdss"].sum(axis=(1, 2)), rtol=0.005)
    arms = R.arm_pattern(_row(cat, int(np.flatnonzero(cat["type"] == P.SPIRAL)[0])))
    assert abs(arms.sum()) < 0.02 * np.abs(arms).sum()  # arms move light, they do not add it


def test_hsc_image_matched_to_sdss_seeing_equals_the_sdss_image_within_noise():
    cat = D.load_catalogue(300, seed=4)
    for i in np.flatnonzero(cat["r50"] < 4)[:6]:
        row = _row(cat, int(i))
        prof = R.intrinsic_profile(row)
        sdss = R.draw(prof, "sdss", row["psf_sdss"], noise_seed=1)
        sdss_true = R.draw(prof, "sdss", row["psf_sdss"])
        hsc = R.draw(prof, "hsc", row["psf_hsc"], noise_seed=2)
        matched = R.match_survey(hsc, "hsc", row["psf_hsc"], "sdss", row["psf_sdss"])
        var = C.SDSS.sigma_pixel**2 + np.clip(sdss_true, 0, None) / C.SDSS.gain_e_per_nmgy
        chi2 = np.mean((matched - sdss) ** 2 / var)
        assert 0.85 < chi2 < 1.15, (i, chi2)  # residual is the SDSS noise alone
        assert np.std(matched - sdss_true) < 0.1 * C.SDSS.sigma_pixel
    with pytest.raises(ValueError, match="target seeing is worse"):
        R.match_survey(sdss, "sdss", 1.4, "hsc", 0.6)


def test_arm_visibility_model_agrees_with_arms_measured_on_images():
    cat = D.load_catalogue(1500, seed=3)
    vis = V.visibility(cat)
    sp = np.flatnonzero((cat["type"] == P.SPIRAL) & (vis["arm_snr"] > 2))[:25]
    ratio = M.arm_snr_measured(cat, sp) / vis["arm_snr"][sp]
    assert 0.7 < np.median(ratio) < 1.4
    assert np.mean((ratio > 0.5) & (ratio < 2)) >= 0.9


def test_distant_spirals_fade_into_smooth_blobs():
    cat = D.load_catalogue(15_000, seed=0)
    vis = V.visibility(cat)
    sp = cat["type"] == P.SPIRAL
    near, far = sp & (cat["z"] < 0.05), sp & (cat["z"] > 0.12)
    assert np.median(vis["arm_snr"][near]) > 3 * np.median(vis["arm_snr"][far])
    # and in HSC the same galaxies show their arms far better
    assert np.median(V.visibility(cat, "hsc")["arm_snr"][far]) > 5 * np.median(vis["arm_snr"][far])


# ------------------------------------------------------------------------------- population
def test_population_is_magnitude_limited_and_in_range(cat15k):
    assert np.all((cat15k["z"] > 0) & (cat15k["z"] < 0.2))
    assert np.all(cat15k["mag_r"] <= C.R_MAG_LIMIT + 1e-9)
    assert 0.08 < np.median(cat15k["z"]) < 0.11  # SDSS main sample median z ~ 0.1
    assert set(np.unique(cat15k["type"])) == {0, 1, 2}
    sp = cat15k["type"] == P.SPIRAL
    assert set(np.unique(cat15k["arms"][sp])) <= {2, 3, 4} and np.all(cat15k["arms"][~sp] == 0)
    assert np.all(np.abs(cat15k["chirality"][sp]) == 1)


def test_size_relations_follow_shen_2003():
    # late types at M = M0 have median log R = -0.4 alpha M0 + (beta - alpha) log 2 + gamma
    m0 = C.SHEN_LATE_M0
    want = -0.4 * 0.21 * m0 + (0.53 - 0.21) * np.log10(2) - 1.31
    assert np.log10(P.median_r50_kpc(m0, np.array(False))) == pytest.approx(want)
    # early-type galaxies grow faster with luminosity (R ~ L^0.65 vs ~ L^0.53 when bright)
    bright, faint = -22.5, -20.5
    slope_e = np.log10(P.median_r50_kpc(bright, np.array(True)) / P.median_r50_kpc(faint, np.array(True)))
    slope_l = np.log10(P.median_r50_kpc(bright, np.array(False)) / P.median_r50_kpc(faint, np.array(False)))
    assert slope_e > slope_l


# ------------------------------------------------------------------------------------ votes
@pytest.mark.xfail(
    reason="SPIRAL 31.1 % since the debiasing in (M, R50, z) bins (Bamford et al. 2009) corrects more: "
    "the volunteer model must be recalibrated to the GZ1 shares (issue 17, part 1)",
    strict=False,
)
def test_flag_shares_match_gz1_and_the_thesis_sample(cat15k):
    shares = {f: cat15k[f].mean() for f in ("SPIRAL", "ELLIPTICAL", "UNCERTAIN")}
    # GZ1: 28.5 / 9.3 / 62.2 %; thesis: 4,058 spirals and 1,561 ellipticals of 15,000
    assert 0.24 < shares["SPIRAL"] < 0.31
    assert 0.08 < shares["ELLIPTICAL"] < 0.13
    assert 0.57 < shares["UNCERTAIN"] < 0.67
    ratio = cat15k["SPIRAL"].sum() / cat15k["ELLIPTICAL"].sum()
    assert 2.0 < ratio < 3.4  # thesis 2.6
    assert 20 < cat15k["NVOTE"].mean() < 60


def test_uncertain_grows_with_redshift_and_distant_spirals_get_elliptical_votes(cat15k):
    z = cat15k["z"]
    lo, hi = z < np.quantile(z, 0.25), z > np.quantile(z, 0.75)
    assert cat15k["UNCERTAIN"][hi].mean() > cat15k["UNCERTAIN"][lo].mean() + 0.08
    sp = cat15k["type"] == P.SPIRAL
    assert cat15k["P_EL"][sp & hi].mean() > cat15k["P_EL"][sp & lo].mean() + 0.1
    # debiasing moves distant galaxies' votes back towards spiral, keeping p_el + p_cs
    assert np.mean(cat15k["P_CS_DEBIASED"][hi] - cat15k["P_CS"][hi]) > 0
    np.testing.assert_allclose(
        cat15k["P_CS_DEBIASED"] + cat15k["P_EL_DEBIASED"], cat15k["P_CS"] + cat15k["P_EL"], atol=1e-12
    )


def test_vote_fractions_are_consistent(cat15k):
    tot = sum(cat15k[f"P_{a}"] for a in V.ANSWERS)
    np.testing.assert_allclose(tot, 1.0, atol=1e-12)
    np.testing.assert_allclose(cat15k["P_CS"], cat15k["P_CW"] + cat15k["P_ACW"] + cat15k["P_EDGE"])
    flags = cat15k["SPIRAL"] + cat15k["ELLIPTICAL"] + cat15k["UNCERTAIN"]
    assert np.all(flags == 1)
    assert np.all(cat15k["P_CS_DEBIASED"][cat15k["SPIRAL"] == 1] >= 0.8)
    # winding direction: clean face-on spirals mostly voted with their true chirality
    sp = (cat15k["SPIRAL"] == 1) & (cat15k["P_EDGE"] < 0.2)
    acw = cat15k["P_ACW"][sp] > cat15k["P_CW"][sp]
    assert np.mean(acw == (cat15k["chirality"][sp] > 0)) > 0.9


# the debiasing itself: tests/test_galaxies_debias.py


# ------------------------------------------------------------------------ determinism, files
def test_same_seed_same_sky_and_images():
    a = P.sample_catalogue(300, seed=9)
    b = P.sample_catalogue(300, seed=9)
    c = P.sample_catalogue(300, seed=10)
    for k in a:
        np.testing.assert_array_equal(a[k], b[k])
    assert not np.array_equal(a["z"], c["z"])
    cat = D.load_catalogue(300, seed=9)
    one = R.render(cat, [5, 7], progress=False)["sdss"]
    other = R.render(cat, [7, 5, 3], progress=False)["sdss"]  # order and company do not matter
    np.testing.assert_array_equal(one[0], other[1])
    np.testing.assert_array_equal(one[1], other[0])
    t1, t2 = V.gz1_table(a, V.VoteModel(), 1), V.gz1_table(a, V.VoteModel(), 1)
    np.testing.assert_array_equal(t1["P_EL"], t2["P_EL"])


def test_image_cache_round_trip_and_damage_is_detected(fresh_cache):
    from helpers.pipeline.cache import CacheCorruptedWarning

    imgs = D.load_images([3, 1, 4], "sdss", n=200, seed=5, progress=False)
    again = D.load_images([3, 1, 4], "sdss", n=200, seed=5, progress=False)
    np.testing.assert_array_equal(imgs, again)
    files = sorted(fresh_cache.glob("sky-images-sdss-*.h5"))
    assert files
    import h5py

    with h5py.File(files[-1]) as f:  # a standard HDF5 layout
        assert f["images/sdss"].shape == (3, 64, 64)
    raw = bytearray(files[-1].read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    files[-1].write_bytes(bytes(raw))
    with pytest.warns(CacheCorruptedWarning):
        rebuilt = D.load_images([3, 1, 4], "sdss", n=200, seed=5, progress=False)
    np.testing.assert_array_equal(rebuilt, imgs)
    with pytest.raises(IndexError, match=r"\[0, 200\)"):
        D.load_images([250], "sdss", n=200, seed=5)
    with pytest.raises(ValueError, match="unknown survey 'decam'"):
        D.load_images([1], "decam", n=200, seed=5)


def test_labels_two_and_three_classes(cat15k):
    idx3, y3 = D.labels(cat15k, 3)
    idx2, y2 = D.labels(cat15k, 2)
    assert len(idx3) == 15_000 and set(np.unique(y3)) == {0, 1, 2}
    assert len(idx2) == cat15k["SPIRAL"].sum() + cat15k["ELLIPTICAL"].sum()
    assert set(np.unique(y2)) == {0, 1}
    with pytest.raises(ValueError, match="n_classes must be 2"):
        D.labels(cat15k, 4)


def test_labels_refuse_galaxies_flagged_twice_or_never():
    # GZ1's clean flags are exclusive: a galaxy is SPIRAL, ELLIPTICAL or UNCERTAIN, exactly one
    ok = {"SPIRAL": np.array([1, 0, 0]), "ELLIPTICAL": np.array([0, 1, 0]), "UNCERTAIN": np.array([0, 0, 1])}
    idx, y = D.labels(ok, 3)
    assert idx.tolist() == [0, 1, 2] and y.tolist() == [0, 1, 2] and y.dtype == np.int64
    idx, y = D.labels(ok, 2)
    assert idx.tolist() == [0, 1] and y.tolist() == [0, 1]
    for bad in (
        {**ok, "ELLIPTICAL": np.array([1, 1, 0])},  # spiral and elliptical at once
        {**ok, "UNCERTAIN": np.array([0, 0, 0])},  # the third galaxy has no flag
        {**ok, "UNCERTAIN": np.array([1, 0, 1])},
    ):  # spiral and uncertain at once
        with pytest.raises(ValueError, match="exactly once"):
            D.labels(bad, 3)

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
    imgs = R.render(cat, idx, ("sdss", "hsc"), noise=False, progress=False, field=False)
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
    # arms and knots move the disk's light, they do not add it; nor do bars
    for i in np.flatnonzero(cat["type"] == P.SPIRAL)[:3]:
        row = _row(cat, int(i))
        big = galsim.Convolve([R.intrinsic_profile(row), R.psf("sdss", row["psf_sdss"])]).drawImage(
            nx=512, ny=512, scale=C.SDSS.pixel_scale
        )
        assert big.array.sum() == pytest.approx(row["flux"], rel=0.01)


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
    # the arm contrast per resolution element the votes use, against the same quantity measured on the
    # rendered stamps (PSF, pixels, the noise of an element's average) of 300 SPIRAL-flagged galaxies
    cat = D.load_catalogue(1500, seed=3)
    vis = V.visibility(cat)
    sp = np.flatnonzero((cat["SPIRAL"] == 1) & (cat["type"] == P.SPIRAL))[:300]  # edge-on S0s have no arms
    assert sp.size == 300
    ratio = M.arm_snr_seen_measured(cat, sp) / vis["arm_snr"][sp]
    assert 0.85 < np.median(ratio) < 1.25, np.percentile(ratio, [10, 50, 90])
    assert np.mean((ratio > 0.6) & (ratio < 1.7)) >= 0.8, np.percentile(ratio, [10, 50, 90])
    # the ideal matched filter over the whole disk reaches far more than the eye per element
    assert np.median(vis["arm_snr_ideal"][sp] / vis["arm_snr"][sp]) > 1.5


def test_distant_spirals_fade_into_smooth_blobs():
    cat = D.load_catalogue(15_000, seed=0)
    vis = V.visibility(cat)
    sp = cat["type"] == P.SPIRAL
    near, far = sp & (cat["z"] < 0.05), sp & (cat["z"] > 0.12)
    # per resolution element the contrast falls with distance only as the arms blur (surface brightness
    # hardly dims at z < 0.2, and the distant spirals of a magnitude-limited sample are the luminous ones)
    assert np.median(vis["arm_snr"][near]) > 1.5 * np.median(vis["arm_snr"][far])
    # and in HSC the same galaxies show their arms far better
    assert np.median(V.visibility(cat, "hsc")["arm_snr"][far]) > 5 * np.median(vis["arm_snr"][far])


# ------------------------------------------------------------------ arms, bars and the field
def test_arms_are_logarithmic_spirals_at_the_catalogue_pitch():
    cat = D.load_catalogue(1500, seed=3)
    # Kennicutt 1981: spiral pitch angles run from ~5 deg (Sa) to ~35 deg (Sc), mostly 10-25 deg
    sp = cat["type"] == P.SPIRAL
    assert 12 < np.median(cat["pitch_deg"][sp]) < 22
    assert np.all((cat["pitch_deg"][sp] >= 5) & (cat["pitch_deg"][sp] <= 36))
    big = np.flatnonzero(sp & (cat["r50"] > 2.5) & (cat["r50"] < 6) & (cat["arm_amp"] > 0.25))[:12]
    got = np.array([M.arm_pitch_measured(_row(cat, int(i))) for i in big])
    err = np.abs(got - cat["pitch_deg"][big])
    assert np.median(err) < 1.5, err  # phase of the arm maximum vs ln r has slope m / tan(pitch)
    assert np.sum(err < 3) >= 10, err
    # a ring pattern (pitch -> 90 deg would be radial spokes; pitch -> 0 rings) reads differently
    row = _row(cat, int(big[0]))
    assert abs(M.arm_pitch_measured({**row, "pitch_deg": 2 * row["pitch_deg"]}) - 2 * row["pitch_deg"]) < 3


def test_bars_appear_in_the_gz2_fraction_of_disks_and_lie_along_their_angle(cat15k):
    disk = cat15k["type"] != P.ELLIPTICAL
    n, k = disk.sum(), cat15k["bar"][disk].sum()
    p = 0.294  # Masters et al. 2011: 29.4 +- 0.5 % of GZ2 disks are barred
    assert abs(k / n - p) < 4 * np.sqrt(p * (1 - p) / n) + 0.005
    assert np.all(cat15k["bar"][~disk] == 0)
    # on a face-on noise-free S0 the central light is elongated along the bar's angle
    cat = D.load_catalogue(1500, seed=3)
    s = C.HSC
    for i in np.flatnonzero((cat["type"] == P.S0) & (cat["bar"] == 1) & (cat["r50"] > 2))[:4]:
        row = {**_row(cat, int(i)), "q": 1.0, "q_disk": 1.0}
        img = R.render_galaxy(row, ("hsc",), noise=False, field=False)["hsc"].astype(float)
        img -= R.render_galaxy({**row, "bar": 0}, ("hsc",), noise=False, field=False)["hsc"]
        yy, xx = (np.indices(img.shape) - (s.stamp - 1) / 2) * s.pixel_scale
        w = np.clip(img, 0, None)
        mxx, myy, mxy = (w * xx * xx).sum(), (w * yy * yy).sum(), (w * xx * yy).sum()
        angle = 0.5 * np.arctan2(2 * mxy, mxx - myy)
        d = (angle - row["bar_angle"] + np.pi / 2) % np.pi - np.pi / 2
        assert abs(d) < np.radians(5), (i, np.degrees(d))


def _count_law(m):
    """Galaxies per deg^2 per mag from published anchors, independently of the code: 90 deg^-2 at
    r < 17.77 (Strauss et al. 2002), slope 0.45 to r = 22 (Yasuda et al. 2001), 0.33 fainter."""
    a = 90 * 0.45 * np.log(10) * 10 ** (0.45 * (np.minimum(m, 22) - 17.77))
    return a * 10 ** (0.33 * np.maximum(m - 22, 0))


def test_field_counts_in_blank_stamps_match_the_published_counts():
    half = 16.0  # arcsec
    n_fields = 3000
    area = n_fields * (2 * half / 3600) ** 2
    srcs = [P.field_sources(seed, half) for seed in range(n_fields)]
    mag = np.concatenate([f["mag"][~f["star"]] for f in srcs])
    edges = np.array([15.0, 18.0, 20.0, 22.0, 24.0, 26.0, 27.0])
    got = np.histogram(mag, edges)[0]
    grid = np.linspace(15, 27, 12001)
    dens = _count_law(grid)
    want = (
        np.array(
            [
                np.trapezoid(dens[(grid >= a) & (grid <= b)], grid[(grid >= a) & (grid <= b)])
                for a, b in zip(edges[:-1], edges[1:])
            ]
        )
        * area
    )
    pull = (got - want) / np.sqrt(want)
    assert np.all(np.abs(pull) < 4), (got, want.round(1))
    # independent anchor: Tyson & Jarvis 1979 count 17,100 deg^-2 to J = 24 at the pole; J - r ~ 1 for faint
    # galaxies, so r < 23 should hold about as many (the colour is uncertain: 35 % tolerance)
    n23 = np.sum(mag < 23) / area
    assert abs(n23 / 17_100 - 1) < 0.35, n23
    # the light in blank noise-free stamps is the light of those counts within the stamp
    s = C.HSC
    flux = np.array([R.field_image({"seed": seed}, s, 0.6).sum() for seed in range(1500)])
    m = np.linspace(15, 27, 12001)
    expect = np.trapezoid(_count_law(m) * 10 ** (-0.4 * (m - 22.5)), m) * (s.extent / 3600) ** 2
    expect += np.trapezoid(400 * 10 ** (0.12 * (m - 20)) * 10 ** (-0.4 * (m - 22.5)), m) * (s.extent / 3600) ** 2
    se = flux.std() / np.sqrt(flux.size)
    assert abs(flux.mean() - expect) < 3 * se + 0.05 * expect, (flux.mean(), expect, se)
    # HSC's 25" stamps show many sources above its 5-sigma depth, SDSS's few
    n_hsc = np.mean([np.sum((f["mag"] < 26.0) & (np.abs(f["x"]) < 12.7) & (np.abs(f["y"]) < 12.7)) for f in srcs])
    n_sdss = np.mean([np.sum((f["mag"] < 22.2) & (np.abs(f["x"]) < 12.7) & (np.abs(f["y"]) < 12.7)) for f in srcs])
    assert n_hsc > 5 and n_sdss < 1.5, (n_hsc, n_sdss)


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
    # distant galaxies are harder to call: the rise is significant at 5 binomial sigma (it is 0.08 with
    # the debiasing of Bamford et al. 2009, which hands some distant galaxies back to a clean class)
    u_hi, u_lo = cat15k["UNCERTAIN"][hi].mean(), cat15k["UNCERTAIN"][lo].mean()
    err = np.hypot(np.sqrt(u_hi * (1 - u_hi) / hi.sum()), np.sqrt(u_lo * (1 - u_lo) / lo.sum()))
    assert u_hi - u_lo > 5 * err
    sp = cat15k["type"] == P.SPIRAL
    # (the colour cue holds some distant blue spirals: the shift is smaller than with arms alone)
    assert cat15k["P_EL"][sp & hi].mean() > cat15k["P_EL"][sp & lo].mean() + 0.05
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
    # nor the number of worker processes, nor the batch: spirals with knots and fields with sources
    idx = [int(i) for i in np.flatnonzero(cat["type"] == P.SPIRAL)[:3]] + list(range(60, 90))
    pooled = R.render(cat, idx, ("sdss", "hsc"), workers=2, progress=False)
    for s in ("sdss", "hsc"):
        alone = R.render(cat, idx[:2], (s,), progress=False)[s]
        np.testing.assert_array_equal(pooled[s][:2], alone)
        np.testing.assert_array_equal(pooled[s][-1], R.render(cat, [idx[-1]], (s,), progress=False)[s][0])
    t1, t2 = V.gz1_table(a, V.VoteModel(), 1), V.gz1_table(a, V.VoteModel(), 1)
    np.testing.assert_array_equal(t1["P_EL"], t2["P_EL"])


def test_image_cache_round_trip_and_damage_is_detected(fresh_cache):
    from helpers.pipeline.cache import CacheCorruptedWarning

    before = set(fresh_cache.glob("sky-images-sdss-*.h5"))  # other tests may share the folder
    imgs = D.load_images([3, 1, 4], "sdss", n=200, seed=5, progress=False)
    again = D.load_images([3, 1, 4], "sdss", n=200, seed=5, progress=False)
    np.testing.assert_array_equal(imgs, again)
    (path,) = set(fresh_cache.glob("sky-images-sdss-*.h5")) - before  # one file, written once
    import h5py

    with h5py.File(path) as f:  # a standard HDF5 layout
        assert f["images/sdss"].shape == (3, 64, 64)
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    path.write_bytes(bytes(raw))
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


def test_colours_are_bimodal_with_a_red_sequence_of_published_width():
    # the red sequence in g - r: ~0.77 with a scatter of ~0.04 mag, the blue cloud ~0.3 mag bluer
    # (Blanton et al. 2003; Baldry et al. 2004); every galaxy draws its own colour
    cat = P.sample_catalogue(20_000, seed=5)
    early = cat["type"] != P.SPIRAL
    g_r = cat["g_r"]
    assert abs(np.mean(g_r[early]) - 0.77) < 0.01
    assert 0.03 < np.std(g_r[early]) < 0.05
    assert np.unique(np.round(g_r[early], 6)).size > 0.9 * early.sum()
    assert np.median(g_r[early]) - np.median(g_r[~early]) > 0.15

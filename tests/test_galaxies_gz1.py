"""The real Galaxy Zoo 1 catalogue: the published table-2 format, cutouts, resampling, bad input.

The tables here are literal text in the published format (Lintott et al. 2011, table 2,
GalaxyZoo1_DR_table2.csv from data.galaxyzoo.org): header ``OBJID,RA,DEC,NVOTE,P_EL,P_CW,P_ACW,
P_EDGE,P_DK,P_MG,P_CS,P_EL_DEBIASED,P_CS_DEBIASED,SPIRAL,ELLIPTICAL,UNCERTAIN``, RA in sexagesimal
hours and DEC in sexagesimal degrees. The first row is the table's first galaxy as quoted with its
decimal conversion (0.00170833, -10.37380556) in intel/stacks-usecase's galaxy-recognition README;
its flags (UNCERTAIN: neither debiased fraction reaches 0.8) follow from the fractions. The other
rows are made up in the same format. None of these files is written by the loader's own writer.
"""

from __future__ import annotations

import warnings

import cv2
import numpy as np
import pytest
from astropy import units as u
from astropy.coordinates import Angle, SkyCoord
from astropy.io import fits
from astropy.wcs import WCS

from helpers.galaxies.sky import data as D

HEADER = (
    "OBJID,RA,DEC,NVOTE,P_EL,P_CW,P_ACW,P_EDGE,P_DK,P_MG,P_CS,P_EL_DEBIASED,P_CS_DEBIASED,SPIRAL,ELLIPTICAL,UNCERTAIN"
)
ROWS = [
    "587727178986356823,00:00:00.41,-10:22:25.7,59,0.61,0.034,0.0,0.153,0.153,0.051,0.186,0.61,0.186,0,0,1",
    "587727227300741210,13:29:52.70,+47:11:42.9,41,0.049,0.415,0.073,0.390,0.049,0.024,0.878,0.049,0.878,1,0,0",
    "587722981741363294,23:59:59.99,-00:30:00.0,33,0.909,0.0,0.030,0.0,0.061,0.0,0.030,0.909,0.030,0,1,0",
    "588015509806252142,12:00:00.00,+02:03:04.5,27,0.111,0.222,0.0,0.037,0.630,0.0,0.259,0.111,0.259,0,0,1",
]
OBJIDS = [int(r.split(",")[0]) for r in ROWS]


def _table(tmp_path, name="gz1.csv", *, sep=",", bom=False, rows=ROWS, header=HEADER):
    text = "\n".join([header] + rows) + "\n"
    if sep != ",":
        text = text.replace(",", sep)
    p = tmp_path / name
    p.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return p


def _fits(path, img, scale=None, bunit="nanomaggy"):
    hdu = fits.PrimaryHDU(np.asarray(img, np.float32))
    if scale is not None:  # a celestial WCS made by astropy, not by the book's writer
        w = WCS(naxis=2)
        w.wcs.ctype = ["RA---TAN", "DEC--TAN"]
        w.wcs.cdelt = [-scale / 3600, scale / 3600]
        w.wcs.crpix = [(img.shape[1] + 1) / 2, (img.shape[0] + 1) / 2]
        w.wcs.crval = [10.0, -5.0]
        hdu.header.update(w.to_header())
    if bunit is not None:
        hdu.header["BUNIT"] = bunit
    hdu.writeto(path)


# --------------------------------------------------------------------------------- the table
@pytest.mark.parametrize("sep,bom", [(",", False), ("\t", True), ("\t", False), (",", True)])
def test_reads_the_published_table_comma_or_tab_with_or_without_bom(tmp_path, sep, bom):
    cat = D.read_gz1_table(_table(tmp_path, sep=sep, bom=bom))
    assert cat["OBJID"].tolist() == OBJIDS and cat["OBJID"].dtype == np.int64
    # the decimal conversion quoted next to the published row, and astropy's for all rows
    assert cat["RA"][0] == pytest.approx(0.00170833, abs=5e-9)
    assert cat["DEC"][0] == pytest.approx(-10.37380556, abs=5e-9)
    ra_txt = [r.split(",")[1] for r in ROWS]
    dec_txt = [r.split(",")[2] for r in ROWS]
    sky = SkyCoord(ra_txt, dec_txt, unit=(u.hourangle, u.deg))
    np.testing.assert_allclose(cat["RA"], sky.ra.deg, rtol=0, atol=1e-10)
    np.testing.assert_allclose(cat["DEC"], sky.dec.deg, rtol=0, atol=1e-10)
    assert cat["DEC"][2] == pytest.approx(-0.5)  # "-00:30:00.0": the sign of the text, not of int("00")
    assert cat["RA_TEXT"].tolist() == ra_txt and cat["DEC_TEXT"].tolist() == dec_txt  # kept as written
    assert cat["NVOTE"].tolist() == [59, 41, 33, 27]
    assert cat["P_EDGE"][0] == 0.153 and cat["P_CS_DEBIASED"][1] == 0.878
    assert cat["SPIRAL"].tolist() == [0, 1, 0, 0] and cat["ELLIPTICAL"].tolist() == [0, 0, 1, 0]
    idx, y = D.labels(cat, 3)
    assert y.tolist() == [2, 0, 1, 2]


def test_lower_case_header_and_decimal_degrees(tmp_path):
    # CasJobs-style lower-case names and decimal coordinates are the same table
    rows = [r.replace("00:00:00.41", "0.00170833").replace("-10:22:25.7", "-10.37380556") for r in ROWS[:1]]
    cat = D.read_gz1_table(_table(tmp_path, rows=rows, header=HEADER.lower()))
    assert cat["RA"][0] == 0.00170833 and cat["DEC"][0] == -10.37380556
    assert cat["RA_TEXT"][0] == "0.00170833"


def test_sexagesimal_formatting_matches_astropy():
    rng = np.random.default_rng(0)
    ra, dec = rng.uniform(0, 360, 200), np.degrees(np.arcsin(rng.uniform(-1, 1, 200)))
    for a, d in zip(ra, dec):
        assert D.format_ra(a) == Angle(a, u.deg).to_string(unit=u.hourangle, sep=":", precision=2, pad=True)
        want = Angle(d, u.deg).to_string(unit=u.deg, sep=":", precision=1, pad=True, alwayssign=True)
        assert D.format_dec(d) == want
    assert D.format_ra(0.00170833) == "00:00:00.41" and D.format_dec(-10.37380556) == "-10:22:25.7"
    assert D.format_ra(359.99999999) == "00:00:00.00"  # 24h wraps to 0h
    assert D.format_dec(-1e-7) == "+00:00:00.0"  # rounds to zero: no "-0"


def test_writer_round_trips_through_the_published_format(tmp_path):
    cat = D.read_gz1_table(_table(tmp_path))
    for sep in (",", "\t"):
        out = tmp_path / f"again{sep == ','}.csv"
        D.write_gz1_csv(out, cat, delimiter=sep, bom=sep == "\t")
        lines = out.read_text(encoding="utf-8-sig").splitlines()
        assert lines[0].split(sep) == HEADER.split(",")
        assert lines[1].split(sep)[:4] == ROWS[0].split(",")[:4]
        back = D.read_gz1_table(out)
        for k in D.GZ1_TABLE_COLUMNS + ("RA_TEXT", "DEC_TEXT"):
            np.testing.assert_array_equal(back[k], cat[k])
    with pytest.raises(ValueError, match="delimiter must be ',' or a tab"):
        D.write_gz1_csv(tmp_path / "x.csv", cat, delimiter=";")
    with pytest.raises(ValueError, match=r"catalogue lacks GZ1 columns \['RA'\]"):
        D.write_gz1_csv(tmp_path / "x.csv", {k: v for k, v in cat.items() if k != "RA"})


# ------------------------------------------------------------------------------ bad input
def _bad(tmp_path, row: int, col: str, value: str):
    """The table with one cell replaced."""
    names = HEADER.split(",")
    rows = [r.split(",") for r in ROWS]
    rows[row][names.index(col)] = value
    return _table(tmp_path, "bad.csv", rows=[",".join(r) for r in rows])


@pytest.mark.parametrize(
    "row,col,value,expected",
    [
        (1, "RA", "13h29m52.7s", "expected sexagesimal HH:MM:SS.ss (hours) or decimal degrees"),
        (1, "RA", "24:00:00.00", "0 <= HH < 24 and no sign"),
        (1, "RA", "+13:29:52.70", "0 <= HH < 24 and no sign"),
        (1, "RA", "13:60:52.70", "minutes and seconds must be below 60"),
        (1, "RA", "13:29:60.00", "minutes and seconds must be below 60"),
        (1, "RA", "360.0", "decimal RA must lie in [0, 360) degrees"),
        (1, "DEC", "+91:00:00.0", "DEC must lie within [-90, +90] degrees"),
        (1, "DEC", "-90.5", "decimal DEC must lie in [-90, 90] degrees"),
        (1, "DEC", "north", "expected sexagesimal ±DD:MM:SS.s or decimal degrees"),
        (2, "P_EL", "1.2", "expected a vote fraction in [0, 1]"),
        (2, "P_CW", "-0.01", "expected a vote fraction in [0, 1]"),
        (2, "P_CS_DEBIASED", "nan", "expected a vote fraction in [0, 1]"),
        (2, "P_MG", "abc", "expected a number"),
        (3, "SPIRAL", "2", "expected a flag, 0 or 1"),
        (3, "UNCERTAIN", "0.5", "expected a flag, 0 or 1"),
        (3, "NVOTE", "0", "expected a whole number of votes >= 1"),
        (3, "NVOTE", "12.5", "expected a whole number of votes >= 1"),
        (0, "OBJID", "5877x", "expected a positive integer SDSS object ID"),
        (0, "OBJID", "-5", "expected a positive integer SDSS object ID"),
    ],
)
def test_bad_cells_are_named_by_line_objid_column_and_value(tmp_path, row, col, value, expected):
    p = _bad(tmp_path, row, col, value)
    oid = value if col == "OBJID" else OBJIDS[row]
    with pytest.raises(ValueError) as err:
        D.read_gz1_table(p)
    msg = str(err.value)
    assert msg.startswith(f"{p}: line {row + 2} (OBJID {oid}), column {col} = {value!r}: "), msg
    assert msg.endswith(expected), msg


def test_bad_tables_are_refused_before_any_cutout_is_read(tmp_path):
    cut = tmp_path / "cutouts"
    cut.mkdir()
    for oid in OBJIDS:  # unreadable cutouts: a table error must come first
        (cut / f"{oid}.fits").write_bytes(b"not a fits file")
    p = _bad(tmp_path, 1, "P_EL", "1.5")
    with pytest.raises(ValueError, match=r"line 3 \(OBJID 587727227300741210\), column P_EL = '1.5'"):
        D.load_gz1(p, cut)
    rows = list(ROWS)
    rows[1] = rows[1].replace(",1,0,0", ",1,1,0")  # spiral and elliptical at once
    with pytest.raises(
        ValueError,
        match=r"line 3 \(OBJID 587727227300741210\): exactly one of SPIRAL / ELLIPTICAL / UNCERTAIN must be 1, "
        r"got \{'SPIRAL': 1, 'ELLIPTICAL': 1, 'UNCERTAIN': 0\}",
    ):
        D.load_gz1(_table(tmp_path, "two.csv", rows=rows), cut)
    with pytest.raises(ValueError, match=r"missing GZ1 columns \['RA', 'P_MG'\]; found \['OBJID', 'RX', 'DEC'"):
        D.load_gz1(_table(tmp_path, "nocol.csv", header=HEADER.replace("RA,", "RX,").replace("P_MG", "P_XX")), cut)
    with pytest.raises(ValueError, match="OBJID 587727178986356823 appears 2 times"):
        D.read_gz1_table(_table(tmp_path, "dup.csv", rows=ROWS + ROWS[:1]))
    with pytest.raises(ValueError, match=r"line 4 has 15 fields, the header has 16"):
        D.read_gz1_table(_table(tmp_path, "short.csv", rows=ROWS[:2] + [ROWS[2].rsplit(",", 1)[0]]))
    with pytest.raises(ValueError, match="neither comma- nor tab-separated"):
        D.read_gz1_table(_table(tmp_path, "semi.csv", header=HEADER.replace(",", ";"), rows=[]))
    with pytest.raises(ValueError, match="no galaxies in the table"):
        D.read_gz1_table(_table(tmp_path, "empty.csv", rows=[]))
    with pytest.raises(ValueError, match=r"columns \['P_EL'\] appear more than once"):
        D.read_gz1_table(_table(tmp_path, "twice.csv", header=HEADER + ",P_EL", rows=[r + ",0.1" for r in ROWS]))
    with pytest.raises(FileNotFoundError, match="GZ1 catalogue .*nothere.csv does not exist"):
        D.read_gz1_table(tmp_path / "nothere.csv")
    with pytest.raises(FileNotFoundError, match="cutout folder .*nodir does not exist"):
        D.load_gz1(_table(tmp_path), tmp_path / "nodir")
    with pytest.raises(ValueError, match=r"brightness must be one of \('nanomaggies', 'display'\), got 'flux'"):
        D.load_gz1(_table(tmp_path), cut, brightness="flux")
    with pytest.raises(ValueError, match="cutout_pixel_scale must be a positive number of arcsec per pixel, got 0"):
        D.load_gz1(_table(tmp_path), cut, cutout_pixel_scale=0)


# ------------------------------------------------------------------------------- cutouts
def test_cutouts_mixed_case_gzip_and_a_missing_one(tmp_path):
    csv = _table(tmp_path, sep="\t", bom=True)
    cut = tmp_path / "cutouts"
    cut.mkdir()
    rng = np.random.default_rng(1)
    imgs = rng.normal(0, 1, (4, 64, 64)).astype(np.float32)
    _fits(cut / f"{OBJIDS[0]}.FITS", imgs[0])
    _fits(cut / f"{OBJIDS[1]}.fits.gz", imgs[1], bunit="nanomaggy")
    _fits(cut / f"{OBJIDS[3]}.Fit.GZ", imgs[3], scale=0.396)
    (cut / "notes.txt").write_text("not a cutout")
    with pytest.warns(UserWarning, match=r"1 of 4 galaxies have no cutout in .* skipped \(first OBJIDs: \[58772298"):
        got = D.load_gz1(csv, cut)
    assert got["n_missing"] == 1 and got["missing"].tolist() == [OBJIDS[2]]
    assert got["catalogue"]["OBJID"].tolist() == [OBJIDS[0], OBJIDS[1], OBJIDS[3]]
    assert got["catalogue"]["RA_TEXT"].tolist() == ["00:00:00.41", "13:29:52.70", "12:00:00.00"]
    assert got["images"].shape == (3, 64, 64) and got["images"].dtype == np.float32
    np.testing.assert_array_equal(got["images"], imgs[[0, 1, 3]])  # same scale and size: untouched
    np.testing.assert_allclose(got["source_pixel_scale"], 0.396)
    # all cutouts present: no warning
    _fits(cut / f"{OBJIDS[2]}.fit", imgs[2])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert D.load_gz1(csv, cut)["n_missing"] == 0
    # none present: a clear error, not an empty result
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=r"none of the 4 galaxies in .* has a cutout in .*empty"):
        D.load_gz1(csv, empty)
    # two FITS for one galaxy: ambiguous
    _fits(cut / f"{OBJIDS[2]}.fits", imgs[2])
    with pytest.raises(ValueError, match=rf"OBJID {OBJIDS[2]} has 2 cutouts \['{OBJIDS[2]}.fit', '{OBJIDS[2]}.fits'\]"):
        D.load_gz1(csv, cut)


def test_display_images_are_refused_on_the_flux_scale(tmp_path):
    csv = _table(tmp_path)
    cut = tmp_path / "cutouts"
    cut.mkdir()
    rng = np.random.default_rng(2)
    col = rng.integers(0, 256, (4, 64, 64, 3)).astype(np.uint8)
    for oid, im in zip(OBJIDS[:3], col):
        _fits(cut / f"{oid}.fits", im[..., 0].astype(np.float32))
    cv2.imwrite(str(cut / f"{OBJIDS[3]}.JPG"), col[3])
    with pytest.raises(ValueError, match=rf"{OBJIDS[3]}.JPG: a display image .* expects FITS fluxes in nanomaggies"):
        D.load_gz1(csv, cut)
    # asked for on purpose, display images load (mean over colours) and FITS are not mixed in
    with pytest.raises(ValueError, match=rf"{OBJIDS[0]}.fits: a FITS flux image, but brightness='display'"):
        D.load_gz1(csv, cut, brightness="display")
    for oid, im in zip(OBJIDS[:3], col):
        (cut / f"{oid}.fits").unlink()
        cv2.imwrite(str(cut / f"{oid}.Png"), im)
    got = D.load_gz1(csv, cut, brightness="display")
    assert got["brightness"] == "display" and got["n_missing"] == 0
    np.testing.assert_allclose(got["images"][:3], col[:3].mean(axis=3), atol=1e-4)  # PNG is lossless
    assert np.abs(got["images"][3] - col[3].mean(axis=2)).mean() < 40  # JPEG is lossy


def test_fits_units_and_shape_are_checked(tmp_path):
    csv = _table(tmp_path, rows=ROWS[:1])
    cut = tmp_path / "c"
    cut.mkdir()
    _fits(cut / f"{OBJIDS[0]}.fits", np.ones((64, 64)), bunit="counts")
    with pytest.raises(ValueError, match="BUNIT = 'counts'; expected nanomaggies"):
        D.load_gz1(csv, cut)
    (cut / f"{OBJIDS[0]}.fits").unlink()
    fits.PrimaryHDU(np.ones((3, 64, 64), np.float32)).writeto(cut / f"{OBJIDS[0]}.fits")
    with pytest.raises(ValueError, match=r"image has shape \(3, 64, 64\); expected one band"):
        D.load_gz1(csv, cut)
    (cut / f"{OBJIDS[0]}.fits").unlink()
    bad = np.ones((64, 64))
    bad[3, 4] = np.nan
    _fits(cut / f"{OBJIDS[0]}.fits", bad)
    with pytest.raises(ValueError, match="1 pixels are NaN or infinite"):
        D.load_gz1(csv, cut)


# ---------------------------------------------------------------------------- resampling
def test_resampling_is_a_flux_conserving_block_mean_for_an_integer_factor():
    rng = np.random.default_rng(3)
    fine = rng.uniform(0, 10, (128, 128)).astype(np.float32)
    block_sum = fine.reshape(64, 2, 64, 2).sum(axis=(1, 3))  # by hand: 2x2 pixels of 0.198" -> one of 0.396"
    np.testing.assert_allclose(D.resample(fine, 0.198), block_sum, rtol=1e-5)
    np.testing.assert_allclose(D.resample(fine, 0.198, flux=False), block_sum / 4, rtol=1e-5)  # display: mean
    # a larger cutout at the same scale: the central 64 x 64, untouched
    big = rng.normal(0, 1, (70, 71)).astype(np.float32)
    np.testing.assert_array_equal(D.resample(big, 0.396), big[3:67, 3:67])


def test_resampling_an_hsc_cutout_keeps_the_total_flux():
    # HSC: 151 pixels of 0.168" = 25.37", onto 0.396" pixels: 64.06 -> 64 pixels, no crop
    rng = np.random.default_rng(4)
    img = rng.uniform(0, 1, (151, 151)).astype(np.float32)
    out = D.resample(img, 0.168, 0.396, 64)
    assert out.shape == (64, 64)
    assert out.sum() == pytest.approx(img.sum(), rel=1e-5)
    # a uniform surface brightness stays uniform, each pixel holding (151/64)^2 input pixels' flux
    np.testing.assert_allclose(D.resample(np.ones((151, 151)), 0.168, 0.396, 64), (151 / 64) ** 2, rtol=1e-5)


@pytest.mark.filterwarnings("ignore:1 of 2 galaxies have no cutout")
def test_cutouts_of_another_scale_are_resampled_and_too_small_ones_refused(tmp_path):
    csv = _table(tmp_path, rows=ROWS[:2])
    cut = tmp_path / "c"
    cut.mkdir()
    rng = np.random.default_rng(5)
    fine = rng.uniform(0, 1, (128, 128)).astype(np.float32)
    _fits(cut / f"{OBJIDS[0]}.fits", fine, scale=0.198)  # scale from the WCS
    _fits(cut / f"{OBJIDS[1]}.fits", fine)  # no WCS: the caller's scale
    got = D.load_gz1(csv, cut, cutout_pixel_scale=0.198)
    np.testing.assert_allclose(got["images"], np.stack([fine.reshape(64, 2, 64, 2).sum(axis=(1, 3))] * 2), rtol=1e-5)
    np.testing.assert_allclose(got["source_pixel_scale"], [0.198, 0.198])
    small = tmp_path / "s"
    small.mkdir()
    _fits(small / f"{OBJIDS[0]}.fits", np.ones((32, 32)))
    with pytest.raises(ValueError, match=r"32 x 32 pixels of 0.396″ cover 12.7″ x 12.7″, less than the stamp of 64"):
        D.load_gz1(csv, small)
    with pytest.raises(ValueError, match=r"cover 12.7″ x 12.7″, less than the stamp of 151 pixels of 0.168″ \(25.4″\)"):
        D.load_gz1(csv, small, survey="hsc")


def test_a_fits_cutout_without_bunit_is_read_as_nanomaggies_with_a_warning(tmp_path):
    csv = _table(tmp_path, rows=ROWS[:1])
    cut = tmp_path / "c"
    cut.mkdir()
    _fits(cut / f"{OBJIDS[0]}.fits", np.full((64, 64), 2.0), bunit=None)
    with pytest.warns(UserWarning, match="without BUNIT are taken to be in nanomaggies"):
        got = D.load_gz1(csv, cut)
    assert got["images"][0].mean() == pytest.approx(2.0, rel=1e-4)  # 0.396" pixels: no resampling

from pathlib import Path

import cv2
import numpy as np

from app.imaging.previews import preview
from tests.support.dicom_series import ct_series


def test_previews_of_each_kind_fit_the_size(tmp_path, video_file):
    photo = tmp_path / "a.jpg"
    cv2.imwrite(str(photo), np.zeros((600, 800, 3), np.uint8))
    assert preview(photo, "image/jpeg", 100).shape == (75, 100, 3)
    assert preview(video_file, "video/mp4", 64).shape == (48, 64, 3)
    (ct,) = ct_series(tmp_path / "ct", slices=1, size=128)
    assert preview(ct, "application/dicom", 64).shape == (64, 64)
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4 nothing else")
    assert preview(broken, "application/pdf") is None  # no preview, no crash
    assert preview(photo, "audio/flac") is None


def test_a_monochrome1_thumbnail_is_not_a_negative(tmp_path):
    import pydicom

    (path,) = ct_series(tmp_path / "ct", slices=1, size=64)
    normal = preview(path, "application/dicom", 64)
    ds = pydicom.dcmread(path)
    ds.PhotometricInterpretation = "MONOCHROME1"  # the same values, drawn with white for the lowest
    inverted = tmp_path / "mono1.dcm"
    ds.save_as(inverted)
    shown = preview(inverted, "application/dicom", 64)
    assert normal[0, 0] == 0 and shown[0, 0] == 255  # the air outside the body: black, then white as in the viewer
    assert np.array_equal(shown, 255 - normal)


def test_colour_dicom_thumbnails_are_in_colour():
    from pydicom.data import get_testdata_file

    palette = preview(Path(get_testdata_file("examples_palette.dcm")), "application/dicom", 200)
    assert palette.shape == (87, 200, 3) and palette.dtype == np.uint8
    assert (palette.astype(int).max(axis=-1) - palette.astype(int).min(axis=-1)).max() > 60
    deep = preview(Path(get_testdata_file("SC_rgb_rle_16bit.dcm")), "application/dicom", 100)
    assert deep.dtype == np.uint8 and deep[..., 0].max() == 255  # 16-bit samples scaled, not wrapped

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

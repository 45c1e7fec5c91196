"""Reading one DICOM file: the quick reading of common files says exactly what pydicom's reading says."""

import io
from pathlib import Path

import pytest
from pydicom.data import get_testdata_file, get_testdata_files

from app.imaging.dicom_files import RefusedFile, fast_info, read_info
from tests.support.dicom_series import ct_series, ultrasound_cine


def bundled() -> list[Path]:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # files pydicom would download: only those bundled are used
        return sorted(Path(p) for p in get_testdata_files("*.dcm"))


def test_the_quick_reading_agrees_with_pydicom(tmp_path):
    paths = [*bundled(), *ct_series(tmp_path / "ct", slices=2), ultrasound_cine(tmp_path / "us.dcm")]
    quick = 0
    for path in paths:
        data = path.read_bytes()
        info = fast_info(data)
        if info is None:
            continue
        quick += 1
        assert info == read_info(io.BytesIO(data), decode=True)[0], path.name
    assert quick >= 10  # the common case is taken quickly


@pytest.mark.parametrize("name", ["image_dfl.dcm", "MR_small_bigendian.dcm", "ExplVR_LitEndNoMeta.dcm",
                                  "MR_truncated.dcm", "JPEG2000.dcm", "rtplan.dcm", "nested_priv_SQ.dcm"])
def test_anything_unusual_is_left_to_pydicom(name):
    data = Path(get_testdata_file(name)).read_bytes()
    assert fast_info(data) is None
    for cut in (len(data) // 2, 300):
        assert fast_info(data[:cut]) is None


def test_a_file_cut_inside_its_pixels_is_refused_by_either_reading(tmp_path):
    (path,) = ct_series(tmp_path, slices=1)
    data = path.read_bytes()[:-1000]
    assert fast_info(data) is None
    with pytest.raises(RefusedFile) as refused:
        read_info(io.BytesIO(data))
    assert refused.value.code == "dicom.truncated"

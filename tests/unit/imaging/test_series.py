from dataclasses import replace

import numpy as np

from app.imaging.render import PRESETS, apply_window
from app.imaging.series import FrameCache
from tests.support.dicom_series import ct_series, ultrasound_cine


def test_a_ct_series_in_slice_order_with_its_own_window(station, tmp_path):
    case = station.cases.create_case()
    case = station.cases.save_draft(replace(case, patient=replace(case.patient, full_name="Nguyen Van Duoc")))
    paths = ct_series(tmp_path / "ct", slices=12)
    station.imports.import_paths(case.id, list(reversed(paths)) + [ultrasound_cine(tmp_path / "us.dcm", frames=7)])
    ct, us = sorted(station.imaging.series(case.id), key=lambda s: s.modality)
    assert ct.modality == "CT" and len(ct.images) == 12
    assert [i.info["instance_number"] for i in ct.images] == list(range(1, 13))  # head to feet
    assert ct.default_window().center == 40 and not ct.multiframe
    assert us.multiframe and len(us.images) == 7
    cache = FrameCache()
    values, invert = cache.values(ct.images[0])
    assert values.min() == -1000 and values.max() == 900 and not invert
    lung = apply_window(values, PRESETS["lung"])
    bone = apply_window(values, PRESETS["bone"])
    assert not np.array_equal(lung, bone)  # the window changes the rendered pixels
    frames = [cache.values(i)[0] for i in us.images[:2]]
    assert not np.array_equal(frames[0], frames[1])  # a cine: each frame differs


def test_key_images_are_kept(station, tmp_path):
    case = station.cases.create_case()
    station.imports.import_paths(case.id, ct_series(tmp_path / "ct", slices=3))
    (series,) = station.imaging.series(case.id)
    image = series.images[1]
    station.imaging.set_key_image(case.id, image.attachment_id, image.frame, True)
    assert station.imaging.key_images(case.id) == {(image.attachment_id, 0)}
    station.imaging.set_key_image(case.id, image.attachment_id, image.frame, False)
    assert station.imaging.key_images(case.id) == set()

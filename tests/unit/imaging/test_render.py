import numpy as np

from app.imaging.render import PRESETS, Window, apply_window, auto_window, modality_values


def test_rescale_to_hounsfield():
    assert modality_values(np.array([0, 1024, 2024], np.uint16), 1.0, -1024).tolist() == [-1024, 0, 1000]


def test_lung_window_spreads_air_and_lung_and_saturates_bone():
    hu = np.array([-1000, -600, 40, 900], np.float32)
    shown = apply_window(hu, PRESETS["lung"])
    assert shown.tolist() == [59, 127, 236, 255]  # air dark, lung mid-grey, tissue light, bone white


def test_window_edges_follow_the_dicom_formula():
    shown = apply_window(np.array([39.0, 40.0, 240.0, 241.0], np.float32), Window(140, 200))
    assert shown.tolist()[0] == 0 and shown.tolist()[-1] == 255


def test_monochrome1_is_inverted_and_auto_window_covers_the_data():
    values = np.linspace(0, 1000, 10000, dtype=np.float32)
    assert apply_window(values, auto_window(values), invert=True)[0] == 255

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.pixels import apply_color_lut, pixel_array

from app.imaging.render import PRESETS, Window, apply_window, auto_window, decode_frame, display, modality_values


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


# -- colour, overlays and the auto window on real files (pydicom's own test files) ------------------------------


def _reference_rgb(name: str) -> np.ndarray:
    """What pydicom itself makes of the file's first frame, as 8-bit RGB."""
    ds = pydicom.dcmread(get_testdata_file(name))
    pixels = pixel_array(ds, index=0)
    if ds.PhotometricInterpretation == "PALETTE COLOR":
        pixels = apply_color_lut(pixels, ds)  # 16-bit palette entries
        return (pixels >> 8).astype(np.uint8)
    return (pixels >> (int(ds.BitsStored) - 8)).astype(np.uint8)


@pytest.mark.parametrize("name", [
    "examples_ybr_color.dcm",            # ultrasound cine, YBR_FULL_422 in JPEG
    "SC_ybr_full_422_uncompressed.dcm",  # YBR_FULL_422 uncompressed
    "SC_rgb_jpeg_dcmtk.dcm",             # YBR_FULL in JPEG
    "SC_rgb_rle.dcm",                    # RGB, RLE
    "SC_rgb_rle_16bit.dcm",              # RGB, 16 bits a sample
    "examples_palette.dcm",              # PALETTE COLOR: indices into a colour table
])
def test_colour_images_are_shown_in_colour_as_pydicom_decodes_them(name):
    frame = decode_frame(pydicom.dcmread(get_testdata_file(name)), 0)
    assert frame.colour
    shown = display(frame, Window(0, 1))  # a window is for grey images: it changes nothing here
    assert shown.dtype == np.uint8 and shown.shape[-1] == 3
    assert np.array_equal(shown, _reference_rgb(name))
    spread = shown.astype(int).max(axis=-1) - shown.astype(int).min(axis=-1)
    assert spread.max() > 60  # really coloured, not three equal grey channels


def test_grey_images_keep_their_window():
    ds = pydicom.dcmread(get_testdata_file("examples_overlay.dcm"))
    frame = decode_frame(ds, 0)
    assert not frame.colour and frame.values.dtype == np.float32
    assert not np.array_equal(display(frame, Window(200, 100)), display(frame, Window(600, 1200)))


def test_overlay_planes_are_read_for_drawing():
    ds = pydicom.dcmread(get_testdata_file("examples_overlay.dcm"))
    frame = decode_frame(ds, 0)
    assert frame.overlay is not None and frame.overlay.shape == (300, 484)
    assert np.array_equal(frame.overlay, ds.overlay_array(0x6000).astype(bool))
    assert decode_frame(pydicom.dcmread(get_testdata_file("SC_rgb_rle.dcm")), 0).overlay is None


def test_an_overlay_placed_off_the_origin_lands_where_it_says():
    ds = pydicom.dcmread(get_testdata_file("examples_overlay.dcm"))
    plane = ds.overlay_array(0x6000).astype(bool)[:100, :120]
    ds[0x60000010].value, ds[0x60000011].value = 100, 120
    ds[0x60000050].value = [51, 11]  # 1-based row, column of the plane's first pixel
    ds[0x60003000].value = np.packbits(plane.ravel(), bitorder="little").tobytes()
    overlay = decode_frame(ds, 0).overlay
    assert overlay.shape == (300, 484)
    assert np.array_equal(overlay[50:150, 10:130], plane) and overlay.sum() == plane.sum()


def test_auto_window_on_a_near_uniform_image_does_not_collapse():
    values = np.zeros((200, 200), np.float32)  # a black screen with one small bright mark (under 1 %)
    values[10:20, 10:20] = 200
    window = auto_window(values)
    assert window.width >= 100
    shown = apply_window(values, window)
    assert shown[100, 100] == 0 and shown[15, 15] == 255  # black stays black, the mark is white
    flat = np.full((64, 64), 1000, np.float32) + np.random.default_rng(1).integers(-2, 3, (64, 64))
    assert auto_window(flat, minimum_width=256).width == 256  # noise is not stretched to full contrast
    assert auto_window(np.full((8, 8), 7, np.float32)).width > 1

"""From stored pixel values to what the screen shows: modality rescale, then window/level for grey
images; colour images (RGB, YBR, PALETTE COLOR) as their colours; the file's overlay planes (60xx)."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Window:
    center: float
    width: float


# Standard CT windows in Hounsfield units.
PRESETS = {
    "lung": Window(-600, 1500),
    "mediastinum": Window(50, 350),
    "bone": Window(400, 1800),
    "brain": Window(40, 80),
}


def modality_values(pixels: np.ndarray, slope: float = 1.0, intercept: float = 0.0) -> np.ndarray:
    """Stored values to real units (Hounsfield for CT), as float32."""
    values = pixels.astype(np.float32, copy=False)
    if slope != 1.0:
        values = values * np.float32(slope)
    if intercept:
        values = values + np.float32(intercept)
    return values


def apply_window(values: np.ndarray, window: Window, invert: bool = False) -> np.ndarray:
    """DICOM linear VOI LUT (PS3.3 C.11.2.1.2) to 8 bits; MONOCHROME1 is drawn inverted."""
    width = max(window.width, 1.0)
    low = window.center - 0.5 - (width - 1) / 2
    scale = np.float32(255.0 / max(width - 1, 1.0))
    out = (values - np.float32(low)) * scale
    np.clip(out, 0, 255, out=out)
    result = out.astype(np.uint8)
    return 255 - result if invert else result


def auto_window(values: np.ndarray, minimum_width: float = 16.0) -> Window:
    """A window covering the 1st..99th percentile, for images that bring none.

    On a near-uniform image (a black screen with a few marks, a flat phantom) the percentiles meet: the
    window then covers the whole range of values, and is never narrower than `minimum_width` (noise is
    not stretched to full contrast, a uniform image is mid-grey rather than black and white)."""
    flat = values.reshape(-1)
    low, high = (float(v) for v in np.percentile(flat[:: max(1, flat.size // 65536)], (1, 99)))
    if high - low < minimum_width:
        low, high = float(flat.min()), float(flat.max())
    return Window((low + high) / 2, max(high - low, minimum_width, 1.0))


@dataclass
class Frame:
    """One decoded frame, ready for the screen.

    Grey images: `values` in real units (float32, rows × columns), shown through a window, `invert` for
    MONOCHROME1. Colour images: `values` is 8-bit RGB (rows × columns × 3), shown as it is.
    `overlay`: the file's overlay planes (60xx) that apply to this frame, as one mask of the image's size."""

    values: np.ndarray
    invert: bool = False
    overlay: np.ndarray | None = None
    minimum_width: float = 16.0

    @property
    def colour(self) -> bool:
        return self.values.ndim == 3


def frame_count(ds) -> int:
    try:
        return max(1, int(ds.get("NumberOfFrames", 1) or 1))
    except (TypeError, ValueError):
        return 1


def _to_8_bits(rgb: np.ndarray, bits: int) -> np.ndarray:
    if rgb.dtype == np.uint8:
        return rgb
    shift = max(0, bits - 8)
    return (rgb >> shift).astype(np.uint8) if shift else np.clip(rgb, 0, 255).astype(np.uint8)


def decode_frame(ds, index: int = 0) -> Frame:
    """Decode frame `index` of a dataset (pydicom converts YBR to RGB); raises the decoder's error."""
    from pydicom.pixels import pixel_array

    pixels = pixel_array(ds, index=index) if frame_count(ds) > 1 else ds.pixel_array
    photometric = str(ds.get("PhotometricInterpretation", "")).strip().upper()
    overlay = overlay_mask(ds, index, pixels.shape[:2])
    if photometric == "PALETTE COLOR" and pixels.ndim == 2:
        from pydicom.pixels import apply_color_lut

        rgb = apply_color_lut(pixels, ds)
        if rgb.dtype != np.uint8:  # 16-bit palette entries; a few writers put 8-bit values in them
            rgb = (rgb >> 8).astype(np.uint8) if int(rgb.max()) > 255 else rgb.astype(np.uint8)
        return Frame(np.ascontiguousarray(rgb[..., :3]), overlay=overlay)
    if pixels.ndim == 3 and pixels.shape[-1] in (3, 4):
        bits = int(ds.get("BitsStored", 8) or 8)
        return Frame(np.ascontiguousarray(_to_8_bits(pixels[..., :3], bits)), overlay=overlay)
    slope = float(ds.get("RescaleSlope", 1) or 1)
    values = modality_values(pixels, slope, float(ds.get("RescaleIntercept", 0) or 0))
    bits = int(ds.get("BitsStored", 8) or 8)
    return Frame(values, photometric == "MONOCHROME1", overlay, abs(slope) * max(16.0, 2.0 ** min(bits, 16) / 64))


def overlay_mask(ds, index: int, shape: tuple[int, int]) -> np.ndarray | None:
    """The overlay planes (groups 6000-601E with Overlay Data) that apply to frame `index`, placed at their
    origin on an image of `shape`; None when the file has none."""
    mask = None
    for group in range(0x6000, 0x6020, 2):
        if (group << 16 | 0x3000) not in ds:
            continue
        try:
            planes = ds.overlay_array(group)
            origin = ds[group << 16 | 0x0050].value if (group << 16 | 0x0050) in ds else [1, 1]
            first = int(ds[group << 16 | 0x0051].value) if (group << 16 | 0x0051) in ds else 1
        except Exception:  # a damaged overlay is not drawn; the image still is
            continue
        if planes.ndim == 3:  # a multi-frame overlay: its frames from Image Frame Origin on
            which = index - (first - 1)
            if not 0 <= which < planes.shape[0]:
                continue
            planes = planes[which]
        top, left = int(origin[0]) - 1, int(origin[1]) - 1
        rows, columns = shape
        y0, x0 = max(0, top), max(0, left)
        y1, x1 = min(rows, top + planes.shape[0]), min(columns, left + planes.shape[1])
        if y1 <= y0 or x1 <= x0:
            continue
        if mask is None:
            mask = np.zeros(shape, bool)
        mask[y0:y1, x0:x1] |= planes[y0 - top:y1 - top, x0 - left:x1 - left].astype(bool)
    return mask


def display(frame: Frame, window: Window | None) -> np.ndarray:
    """8-bit pixels for the screen: grey through the window, colour as it is (a window is for grey only)."""
    if frame.colour:
        return frame.values
    return apply_window(frame.values, window or auto_window(frame.values, frame.minimum_width), frame.invert)

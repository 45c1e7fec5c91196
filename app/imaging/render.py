"""From stored pixel values to what the screen shows: modality rescale, then window/level."""

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


def auto_window(values: np.ndarray) -> Window:
    """A window covering the 1st..99th percentile, for images that bring none."""
    low, high = np.percentile(values[:: max(1, values.size // 65536)], (1, 99))
    return Window(float((low + high) / 2), float(max(high - low, 1.0)))

"""Small pictures of attachments: photos, a clip's first frame, the first page of a PDF, a DICOM image."""

from pathlib import Path

import numpy as np

from .render import apply_window, auto_window


def _fit(image: np.ndarray, size: int) -> np.ndarray:
    import cv2

    height, width = image.shape[:2]
    scale = size / max(height, width)
    if scale >= 1:
        return image
    return cv2.resize(image, (max(1, int(width * scale)), max(1, int(height * scale))), interpolation=cv2.INTER_AREA)


def preview(path: Path, media_type: str, size: int = 480) -> np.ndarray | None:
    """RGB (or grey) pixels no larger than `size`, or None when there is nothing to show."""
    try:
        if media_type in ("image/jpeg", "image/png"):
            import cv2

            image = cv2.imread(str(path), cv2.IMREAD_COLOR)
            return None if image is None else np.ascontiguousarray(_fit(image, size)[..., ::-1])
        if media_type.startswith("video/"):
            import cv2

            capture = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
            try:
                ok, frame = capture.read()
            finally:
                capture.release()
            return np.ascontiguousarray(_fit(frame, size)[..., ::-1]) if ok else None
        if media_type == "application/pdf":
            import pypdfium2

            document = pypdfium2.PdfDocument(str(path))
            try:
                page = document[0]
                width, height = page.get_size()
                bitmap = page.render(scale=size / max(width, height, 1))
                return np.ascontiguousarray(bitmap.to_numpy()[..., :3][..., ::-1])  # BGR(A) -> RGB
            finally:
                document.close()
        if media_type == "application/dicom":
            import pydicom

            ds = pydicom.dcmread(path)
            from pydicom.pixels import pixel_array

            pixels = pixel_array(ds, index=0) if int(ds.get("NumberOfFrames", 1) or 1) > 1 else ds.pixel_array
            if pixels.ndim == 3:
                return np.ascontiguousarray(_fit(pixels[..., :3].astype(np.uint8), size))
            values = pixels.astype(np.float32) * float(ds.get("RescaleSlope", 1) or 1) + \
                float(ds.get("RescaleIntercept", 0) or 0)
            return _fit(apply_window(values, auto_window(values)), size)
    except Exception:  # a damaged file simply has no preview; opening it says what is wrong
        return None
    return None

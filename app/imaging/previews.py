"""Small pictures of attachments: photos, a clip's first frame, the first page of a PDF, a DICOM image."""

from pathlib import Path

import numpy as np

from .render import Window, decode_frame, display


MAX_SIDE = 8192  # a page of strange proportions is never rendered larger than this


def _box(size: int | tuple[int, int]) -> tuple[int, int]:
    return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))


def _fit(image: np.ndarray, size: int | tuple[int, int]) -> np.ndarray:
    import cv2

    height, width = image.shape[:2]
    box_width, box_height = _box(size)
    scale = min(box_width / width, box_height / height)
    if scale >= 1:
        return image
    return cv2.resize(image, (max(1, int(width * scale)), max(1, int(height * scale))), interpolation=cv2.INTER_AREA)


def _file_window(ds) -> Window | None:
    """The window the file brings (its first), as the viewer uses it; None for none or a damaged one."""
    try:
        center, width = (ds.get(keyword) for keyword in ("WindowCenter", "WindowWidth"))
        center = center[0] if center is not None and not isinstance(center, (int, float)) else center
        width = width[0] if width is not None and not isinstance(width, (int, float)) else width
        return Window(float(center), float(width)) if center is not None and width else None
    except (TypeError, ValueError, IndexError):
        return None


def preview(path: Path, media_type: str, size: int | tuple[int, int] = 480) -> np.ndarray | None:
    """RGB (or grey) pixels fitting in `size` (a square's side, or width and height), proportions kept, or None
    when there is nothing to show. Pictures are never enlarged; a PDF page is rendered at the size asked."""
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
                box_width, box_height = _box(size)
                scale = min(box_width / max(width, 1), box_height / max(height, 1))
                scale = min(scale, MAX_SIDE / max(width, height, 1))
                bitmap = page.render(scale=scale)
                return np.ascontiguousarray(bitmap.to_numpy()[..., :3][..., ::-1])  # BGR(A) -> RGB
            finally:
                document.close()
        if media_type == "application/dicom":
            import pydicom

            ds = pydicom.dcmread(path)
            # As the viewer shows it: colour as colour, MONOCHROME1 with white for the lowest values.
            return np.ascontiguousarray(_fit(display(decode_frame(ds, 0), _file_window(ds)), size))
    except Exception:  # a damaged file simply has no preview; opening it says what is wrong
        return None
    return None

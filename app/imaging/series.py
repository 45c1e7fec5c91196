"""A case's imaging as studies and series, and a series' images in order, decoded on demand."""

from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .render import Frame, Window, auto_window, decode_frame


@dataclass
class SeriesImage:
    attachment_id: str
    path: Path
    frame: int  # which frame of a multi-frame file
    info: dict


@dataclass
class Series:
    uid: str
    study_uid: str
    modality: str
    description: str
    number: int | None
    images: list[SeriesImage] = field(default_factory=list)
    study_description: str = ""
    study_date: str = ""

    @property
    def multiframe(self) -> bool:
        return len({i.attachment_id for i in self.images}) == 1 and len(self.images) > 1

    def default_window(self) -> Window | None:
        info = self.images[0].info if self.images else {}
        if info.get("window_center") is not None and info.get("window_width"):
            return Window(info["window_center"], info["window_width"])
        return None


def group_series(instances, blob_path) -> list[Series]:
    """IndexedInstance rows -> series, each in slice order (position, else instance number)."""
    found: dict[str, Series] = {}
    for inst in instances:
        info = inst.info
        series = found.setdefault(inst.series_uid, Series(inst.series_uid, inst.study_uid, inst.modality,
                                                          info.get("series_description", ""), inst.series_number,
                                                          study_description=info.get("study_description", ""),
                                                          study_date=info.get("study_date", "")))
        for frame in range(max(1, inst.frames)):
            series.images.append(SeriesImage(inst.attachment_id, blob_path(inst.sha256), frame, info))

    def order(image: SeriesImage):
        info = image.info
        position = info.get("slice_position")
        return (position is None, -(position or 0.0), info.get("instance_number") or 0, image.frame)

    for series in found.values():
        series.images.sort(key=order)
    return sorted(found.values(), key=lambda s: (s.study_date, s.number or 0, s.description))


class FrameCache:
    """Decoded frames in real units, the most recent kept (a 512×512 CT slice is 1 MB as float32)."""

    def __init__(self, max_items: int = 160):
        self._items: OrderedDict = OrderedDict()
        self._details: OrderedDict = OrderedDict()
        self._max = max_items

    def frame(self, image: SeriesImage) -> Frame:
        """One frame decoded for the screen (grey in real units, colour as RGB, overlays); raises the decoder's
        error for a file that cannot be shown."""
        key = (image.attachment_id, image.frame)
        if key in self._items:
            self._items.move_to_end(key)
            return self._items[key]
        import pydicom

        ds = pydicom.dcmread(image.path)
        self._keep_details(image, ds)
        entry = decode_frame(ds, image.frame)
        self._items[key] = entry
        while len(self._items) > self._max:
            self._items.popitem(last=False)
        return entry

    def details(self, image: SeriesImage) -> dict:
        """A few header values the index does not keep (the stated age, the colour model, bits), read once."""
        if image.attachment_id not in self._details:
            import pydicom

            try:
                self._keep_details(image, pydicom.dcmread(image.path, stop_before_pixels=True))
            except Exception:  # an unreadable header: the viewer says so when it decodes the image
                return {}
        return self._details[image.attachment_id]

    def _keep_details(self, image: SeriesImage, ds) -> None:
        def text(keyword: str) -> str:
            try:
                value = ds.get(keyword)
                return "" if value is None else str(value).strip()
            except Exception:  # a value pydicom cannot convert is left out
                return ""

        self._details[image.attachment_id] = {"patient_age": text("PatientAge"),
                                              "photometric": text("PhotometricInterpretation"),
                                              "bits": text("BitsStored")}
        self._details.move_to_end(image.attachment_id)
        while len(self._details) > self._max:
            self._details.popitem(last=False)

    def values(self, image: SeriesImage) -> tuple[np.ndarray, bool]:
        """(values, invert) for one frame."""
        frame = self.frame(image)
        return frame.values, frame.invert

    def window_for(self, series: Series, image: SeriesImage) -> Window:
        window = series.default_window()
        if window is not None:  # the file's window: no frame decoded for it
            return window
        frame = self.frame(image)
        return auto_window(frame.values, frame.minimum_width)

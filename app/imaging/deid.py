"""De-identification of DICOM for experts outside Vietnam, and the check that it worked.

`Deidentifier` applies the DICOM PS3.15 Basic Application Level Confidentiality Profile (Table E.1-1, in
`basic_profile.py`) to every attribute it lists, wherever it occurs (sequences included), with the Retain
Longitudinal Temporal Information with Modified Dates Option (dates shifted, not removed: the experts see
the intervals between studies) unless `modified_dates=False`:

* private attributes are removed, except those named in an explicit safe-private list (empty here), in
  which case the Retain Safe Private Option is recorded in (0012,0064);
* curve data and overlays (50xx/60xx groups: burned-in-like annotations) are removed whole;
* a choice such as X/Z/D is resolved to the right-most action (D over Z over X), which every IOD accepts;
* dicognito, seeded by the case, gives the new UIDs (the same for the same original, so a study's images
  stay one study and exporting the case again gives the same UIDs), the new IDs and the date shift;
* the file meta is rewritten from scratch (no PrivateInformation, no application entity titles), and the
  preamble zeroed (a DICOM/TIFF file keeps a TIFF header there).

`scan` then looks for the patient (`Needles`) in every element of a data set: the preamble, the file meta,
every nested sequence, private elements, text and bytes (OB/OW/UN decoded leniently: Latin-1, UTF-8,
UTF-16, Windows-1258, and with NUL bytes dropped). `export_file` writes a copy, reads it back, scans it,
and keeps it only when nothing is found.

What counts as the patient (`Needles`), all compared without case or Vietnamese accents (đ is d):

* names: the whole name, its parts in any rotation (family name first or last), separated by nothing or
  up to three non-letters ("NGUYEN^VAN^DUOC", "Nguyễn Văn Được", "DUOC, NGUYEN VAN", "NguyenVanDuoc");
  a whole name of five letters or fewer must have separators and stand as a word ("Lê An", not "lean").
  Each single part of four letters or more, as a whole word ("DUOC"); shorter parts ("An", "Lê", "Thế")
  are everyday words and would refuse clean files. Placeholders (Anonymous, Test, ...) are not names.
* ids (PatientID, Other Patient IDs, CCCD, BHYT, phone): five characters or more, as a whole token,
  digits optionally grouped by spaces or hyphens ("001 068 012 345"); shorter ids match too much.
* birth date: YYYYMMDD, Y-M-D, D/M/Y, M/D/Y with -, ., / or space, with or without leading zeros,
  DDMMYYYY, and "12 tháng 3 năm 1968".
* original UIDs (study, series, instance, frame of reference): as a whole number sequence.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from functools import cached_property
from itertools import zip_longest
from pathlib import Path

from pydicom.dataelem import DataElement, RawDataElement, empty_value_for_VR
from pydicom.datadict import dictionary_VR, keyword_for_tag, tag_for_keyword
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.multival import MultiValue
from pydicom.tag import BaseTag, Tag

from .basic_profile import BASIC_PROFILE, MODIFIED_DATES

PROFILE_CODE = ("113100", "DCM", "Basic Application Confidentiality Profile")
MODIFIED_DATES_CODE = ("113107", "DCM", "Retain Longitudinal Temporal Information Modified Dates Option")
SAFE_PRIVATE_CODE = ("113111", "DCM", "Retain Safe Private Option")
# Ours, under the UUID-derived root (PS3.5 B.2): the copies say which software wrote them.
IMPLEMENTATION_CLASS_UID = "2.25.87626567895868848399023832899727684350"
IMPLEMENTATION_VERSION_NAME = "DIEMCAU_1"
# Private attributes known to be safe, kept under the Retain Safe Private Option: (creator, group, element
# within the block). Empty: nothing private leaves the station until someone has shown it to be safe.
SAFE_PRIVATE: frozenset[tuple[str, int, int]] = frozenset()
# Modalities whose pixels often carry the patient's name (screen captures, ultrasound).
BURN_IN_PRONE = {"US", "SC", "XC", "OT", "ES"}
SECONDARY_CAPTURE = "1.2.840.10008.5.1.4.1.1.7"  # and its multi-frame kinds, .7.1 to .7.4

DUMMY = "ANONYMOUS"
_DUMMIES = {"DA": "19000101", "TM": "000000", "DT": "19000101000000", "AS": "000Y", "DS": "0", "IS": "0"}
_TEXT_VRS = {"AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UR", "UT"}
_NUMBER_VRS = {"US", "SS", "UL", "SL", "FL", "FD", "SV", "UV", "AT"}
# dicognito gives these a new, case-consistent value: a "D" keeps it (the hub's PACS groups by PatientID).
_DICOGNITO_IDS = {"AccessionNumber", "FillerOrderNumberImagingServiceRequest", "FillerOrderNumberProcedure",
                  "PatientID", "PerformedProcedureStepID", "PlacerOrderNumberImagingServiceRequest",
                  "PlacerOrderNumberProcedure", "RequestedProcedureID", "ScheduledProcedureStepID", "StudyID"}


@dataclass(frozen=True)
class DeidResult:
    dataset: Dataset
    burned_in: bool  # the pixels may still show the patient's identity: someone must look


class _NeutralNames:
    """Every person name becomes one neutral word. dicognito's invented names (NGUYEN among them) could
    be the patient's own, and the scan would then refuse the file."""

    def __call__(self, dataset: Dataset, element: DataElement) -> bool:
        if element.VR != "PN":
            return False
        if element.value:
            element.value = DUMMY
        return True

    def describe_actions(self):
        yield f"Replace all PN elements with {DUMMY}"


class _NewUids:
    """Every instance, series, study and frame-of-reference UID becomes a UUID-derived one (2.25, PS3.5 B.2),
    the same for the same original in every file of the case. dicognito's own ("2." + 40 digits) sit under an
    arc that does not exist, which a DICOM validator rejects (dciodvfy: "illegal root")."""

    def __init__(self, uid):
        self._uid = uid

    def __call__(self, dataset: Dataset, element: DataElement) -> bool:
        if element.VR != "UI" or not element.value or element.keyword.endswith("ClassUID") \
                or element.keyword == "TransferSyntaxUID":
            return False
        element.value = _unlisted([self._uid(str(v)) for v in _listed(element.value)])
        return True

    def describe_actions(self):
        yield "Replace all UI elements with 2.25 UIDs derived from the case"


class _ShiftDates:
    """Every DA and DT (and the TM that goes with a DA) moved back by the case's offset: 62 to 730 days,
    as dicognito does. Unlike dicognito, a value that is not a date is emptied rather than stopping the
    export, and a date whose keyword has no time counterpart (Last Menstrual Date) raises no warning."""

    def __init__(self, seed: str):
        from dicognito.randomizer import Randomizer

        low, high = 62 * 24, 730 * 24
        self._offset = timedelta(hours=-(Randomizer(seed).to_int("date_offset") % (high - low) + low))

    def __call__(self, dataset: Dataset, element: DataElement) -> bool:
        if element.VR not in ("DA", "DT"):
            return False
        if element.value is None or element.value == "":
            return True
        values = [str(v) for v in _listed(element.value)]
        if element.VR == "DT":
            element.value = _unlisted([self._shift(v) for v in values])
            return True
        time = None
        time_tag = tag_for_keyword(element.keyword.replace("Date", "Time")) if element.keyword else None
        if time_tag is not None and time_tag in dataset and dataset[time_tag].VR == "TM" and dataset[time_tag].value:
            time = dataset[time_tag]
        times = [str(t) for t in _listed(time.value)] if time is not None else []
        shifted = [self._shift(d.replace(".", "").strip() + t.replace(":", "").strip())
                   for d, t in zip_longest(values, times, fillvalue="")]
        element.value = _unlisted([s[:8] for s in shifted])
        if time is not None:
            time.value = _unlisted([s[8:] for s in shifted])
        return True

    def describe_actions(self):
        yield "Replace all DA and DT elements (and the TM of a DA) with values shifted back by the case's offset"

    def _shift(self, value: str) -> str:
        form = "%Y%m%d%H"[: len(value) - 2]
        try:
            moved = datetime.strptime(value[:10], form) + self._offset  # noqa: DTZ007
        except ValueError:
            return ""  # not a date: nothing of it is kept
        new = moved.strftime(form)
        return new + value[len(new):]


def _listed(value) -> list:
    return list(value) if isinstance(value, MultiValue | list | tuple) else [value]


def _unlisted(values: list):
    return values if len(values) > 1 else values[0]


def deidentified_uid(seed: str, original: str) -> str:
    """The UID `original` gets in the case's de-identified copy (`seed`: the case id). The live session's
    viewer uses it to follow, and be followed by, an expert abroad who holds only that copy."""
    digest = hashlib.sha256(f"{seed}\0{original}".encode()).digest()
    return f"2.25.{int.from_bytes(digest[:16], 'big')}"


class Deidentifier:
    """One per case (`seed`: the case id): the same original UID gets the same new one in every file."""

    def __init__(self, seed: str, safe_private: frozenset[tuple[str, int, int]] = SAFE_PRIVATE,
                 modified_dates: bool = True):
        from dicognito.anonymizer import Anonymizer

        self._seed = seed
        self._safe_private = safe_private
        self._modified_dates = modified_dates
        self._anonymizer = Anonymizer(seed=seed)
        self._anonymizer.add_element_handler(_ShiftDates(seed))
        self._anonymizer.add_element_handler(_NeutralNames())
        self._anonymizer.add_element_handler(_NewUids(self._uid))

    def deidentify(self, ds: Dataset) -> DeidResult:
        prone = str(ds.get("Modality", "")) in BURN_IN_PRONE or \
            str(ds.get("SOPClassUID", "")).startswith(SECONDARY_CAPTURE)  # screenshots, scanned films: Modality or not
        burned_in = str(ds.get("BurnedInAnnotation", "")).upper() == "YES" or \
            (prone and str(ds.get("BurnedInAnnotation", "")).upper() != "NO")
        kept_private = _strip(ds, self._safe_private)
        old_meta = getattr(ds, "file_meta", None) or FileMetaDataset()
        transfer_syntax = old_meta.get("TransferSyntaxUID") or _transfer_syntax_of(ds)
        ds.file_meta = old_meta  # dicognito walks it
        self._anonymizer.anonymize(ds)  # new UIDs, IDs and person names; every date shifted
        self._apply_profile(ds)
        ds.PatientIdentityRemoved = "YES"
        ds.DeidentificationMethod = method_text()
        used = [PROFILE_CODE] + ([MODIFIED_DATES_CODE] if self._modified_dates else []) + \
            ([SAFE_PRIVATE_CODE] if kept_private else [])
        ds.DeidentificationMethodCodeSequence = [_code(*code) for code in used]
        ds.LongitudinalTemporalInformationModified = "MODIFIED" if self._modified_dates else "REMOVED"
        meta = FileMetaDataset()
        meta.FileMetaInformationVersion = b"\x00\x01"
        sop_class = ds.get("SOPClassUID") or old_meta.get("MediaStorageSOPClassUID")
        if sop_class:
            meta.MediaStorageSOPClassUID = sop_class
        if ds.get("SOPInstanceUID"):
            meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        if transfer_syntax:
            meta.TransferSyntaxUID = transfer_syntax
        meta.ImplementationClassUID = IMPLEMENTATION_CLASS_UID
        meta.ImplementationVersionName = IMPLEMENTATION_VERSION_NAME
        ds.file_meta = meta
        ds.preamble = b"\0" * 128
        return DeidResult(ds, burned_in)

    def _apply_profile(self, ds: Dataset) -> None:
        """Table E.1-1's action on every attribute it lists, at every depth."""
        shifted_times = {e.keyword.replace("Date", "Time") for e in ds if e.VR == "DA" and e.value}
        for tag in list(ds.keys()):
            element = ds[tag]
            action = BASIC_PROFILE.get(tag)
            if action is None:
                if element.VR == "SQ":
                    for item in element.value:
                        self._apply_profile(item)
                continue
            if self._modified_dates and tag in MODIFIED_DATES and element.VR in ("DA", "DT", "TM") and \
                    (element.VR != "TM" or element.keyword in shifted_times):
                continue  # shifted by dicognito (a time only with its date)
            chosen = action.split("/")[-1]
            if chosen == "X":
                del ds[tag]
            elif chosen == "Z":
                element.value = empty_value_for_VR(element.VR)
            elif chosen == "U*":
                for item in element.value:  # the UIDs inside are new already; the rest follows the table
                    self._apply_profile(item)
            elif chosen == "U" and element.VR == "UI":
                self._new_uids(element)
            else:  # D (and C, and U on anything but a UID)
                self._dummy(element)

    def _new_uids(self, element: DataElement) -> None:
        # dicognito leaves the *ClassUID attributes alone; the profile replaces Manufacturer's Device Class UID.
        if element.keyword.endswith("ClassUID") and element.value:
            element.value = _unlisted([self._uid(str(v)) for v in _listed(element.value)])

    def _uid(self, original: str) -> str:
        return deidentified_uid(self._seed, original)

    def _dummy(self, element: DataElement) -> None:
        vr = element.VR
        if vr == "SQ":
            element.value = []  # what a sequence held (people, institutions, codes) goes with it
        elif vr == "UI":
            self._new_uids(element)
        elif element.keyword in _DICOGNITO_IDS and element.value:
            pass
        elif vr in _DUMMIES:
            element.value = _DUMMIES[vr]
        elif vr in _TEXT_VRS:
            element.value = DUMMY
        elif vr in _NUMBER_VRS:
            element.value = 0
        else:  # bytes: zeros, as long as the value was
            length = len(element.value or b"")
            element.value = b"\0" * max(2, length + length % 2)


def method_text() -> str:
    from importlib.metadata import version

    # (0012,0063) is LO: 64 characters at most; the code sequence carries the profile's full name.
    return f"DICOM PS3.15 E.1 Basic Profile, dicognito {version('dicognito')}"[:64]


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = value, scheme, meaning
    return code


def _transfer_syntax_of(ds: Dataset) -> str | None:
    from .dicom_files import syntax_of_encoding

    implicit, little = getattr(ds, "original_encoding", (None, None))
    return None if implicit is None else syntax_of_encoding(implicit, little)


def _strip(ds: Dataset, safe: frozenset[tuple[str, int, int]]) -> bool:
    """Remove private attributes (but the safe ones), curves, overlays and group lengths, at every depth.
    True when a safe private attribute was kept."""
    kept, creators_needed = False, set()
    for tag in list(ds.keys()):
        group, element = tag.group, tag.element
        if tag.is_private:
            if tag.is_private_creator:
                continue  # decided once the block's members are known
            creator_tag = Tag(group, element >> 8)
            creator = ds.get(creator_tag)
            if element >= 0x1000 and creator is not None and \
                    (str(creator.value).strip(), group, element & 0xFF) in safe:
                kept = True
                creators_needed.add(creator_tag)
                if ds[tag].VR == "SQ":
                    for item in ds[tag].value:
                        _strip(item, safe)
                continue
            del ds[tag]
        elif element == 0x0000 or group & 0xFF00 in (0x5000, 0x6000):
            del ds[tag]  # group lengths are wrong once anything is removed; curves and overlays go whole
        elif ds[tag].VR == "SQ":
            for item in ds[tag].value:
                kept = _strip(item, safe) or kept
    for tag in list(ds.keys()):
        if tag.is_private and tag.is_private_creator and tag not in creators_needed:
            del ds[tag]
    return kept


# The check.

def fold(text: str) -> str:
    """Lower case, without Vietnamese (or other) accents: "Nguyễn Văn Được" -> "nguyen van duoc"."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return _COMBINING.sub("", text).casefold()


_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
# Words that stand for no one: placeholders in test and anonymised files, and our own dummy value.
_PLACEHOLDERS = {"anonymous", "anonymized", "anonymised", "anon", "patient", "unknown", "test", "phantom", "none",
                 "null", "name", "first", "last", "firstname", "lastname", "middle", "prefix", "suffix", "mid",
                 "pre", "benh", "nhan", "dummy", "removed"}
_NAME_GAP = r"[^a-z0-9]{0,3}"
_ID_GAP = r"[ \-]?"
_DATE_SEP = r"[\-./ ]"
_ALNUM, _DIGIT = "abcdefghijklmnopqrstuvwxyz0123456789", "0123456789"


@dataclass(frozen=True)
class _Pattern:
    """A regular expression that starts with a literal (so that searching megabytes is fast) and the
    characters that must not come just before a match (a lookbehind would make the search slow)."""

    what: str
    regex: re.Pattern
    not_after: str = ""

    def found_in(self, text: str) -> bool:
        position = 0
        while (match := self.regex.search(text, position)) is not None:
            start = match.start()
            if start == 0 or text[start - 1] not in self.not_after:
                return True
            position = start + 1
        return False


def _tokens(name: str) -> list[str]:
    return [t for t in re.findall(r"[a-z0-9]+", fold(name)) if t not in _PLACEHOLDERS]


def _name_patterns(name: str) -> list[_Pattern]:
    tokens = _tokens(name)
    found = []
    if len(tokens) >= 2:
        short = sum(len(t) for t in tokens) < 6
        for turn in range(len(tokens)):
            order = tokens[turn:] + tokens[:turn]
            if short:  # "Lê An": separated, and a word of its own
                found.append((r"[^a-z0-9]{1,3}".join(map(re.escape, order)) + "(?![a-z0-9])", _ALNUM))
            else:
                found.append((_NAME_GAP.join(map(re.escape, order)), ""))
    found += [(re.escape(t) + "(?![a-z0-9])", _ALNUM) for t in tokens if len(t) >= 4 and not t.isdigit()]
    return [_Pattern("patient's name", re.compile(p), edge) for p, edge in dict.fromkeys(found)]


def _id_patterns(value: str) -> list[_Pattern]:
    compact = "".join(re.findall(r"[a-z0-9]", fold(value)))
    if len(compact) < 5 or compact in _PLACEHOLDERS:
        return []
    edge = _DIGIT if compact.isdigit() else _ALNUM
    body = _ID_GAP.join(map(re.escape, compact)) + f"(?![{'0-9' if compact.isdigit() else 'a-z0-9'}])"
    return [_Pattern("patient ID", re.compile(body), edge)]


def _date_patterns(value: str) -> list[_Pattern]:
    digits = re.sub(r"[^0-9]", "", value)
    if len(digits) != 8:
        return []
    try:
        day = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return []
    y, mm, dd = f"{day.year:04d}", f"{day.month:02d}", f"{day.day:02d}"
    months = list(dict.fromkeys([mm, str(day.month)]))
    days = list(dict.fromkeys([dd, str(day.day)]))
    m_any, d_any, sep = f"(?:{'|'.join(months)})", f"(?:{'|'.join(days)})", _DATE_SEP
    forms = [f"{y}{mm}{dd}",  # DA, and the start of a DT
             f"{dd}{mm}{y}(?![0-9])",
             f"{y}{sep}{m_any}{sep}{d_any}(?![0-9])"]
    forms += [f"{d}{sep}{m_any}{sep}{y}(?![0-9])" for d in days]
    forms += [f"{m}{sep}{d_any}{sep}{y}(?![0-9])" for m in months]
    forms += [rf"{d}\s*thang\s*{m_any}\s*(?:nam\s*)?{y}(?![0-9])" for d in days]  # 12 tháng 3 năm 1968
    return [_Pattern("birth date", re.compile(form), _DIGIT) for form in dict.fromkeys(forms)]


def _uid_patterns(value: str) -> list[_Pattern]:
    from pydicom.uid import UID_dictionary

    value = value.strip().rstrip("\0")
    if len(value) < 10 or value in UID_dictionary:
        return []
    return [_Pattern("original UID", re.compile(re.escape(value) + "(?![0-9])"), _DIGIT)]


@dataclass(frozen=True)
class Needles:
    """What would identify the patient if found in an exported file."""

    names: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()  # YYYYMMDD
    uids: tuple[str, ...] = ()

    def __or__(self, other: Needles) -> Needles:
        return Needles(*(tuple(dict.fromkeys(getattr(self, f.name) + getattr(other, f.name))) for f in fields(self)))

    @classmethod
    def for_patient(cls, name: str = "", ids=(), birth: date | str | None = None) -> Needles:
        """The case record's patient: name as typed, CCCD, BHYT, phone, and the birth date if complete."""
        birth_text = birth.strftime("%Y%m%d") if isinstance(birth, date) else (birth or "")
        return cls(names=(name,) if name.strip() else (), ids=tuple(i for i in ids if i and i.strip()),
                   birth_dates=(birth_text,) if birth_text else ())

    @classmethod
    def from_dataset(cls, ds: Dataset) -> Needles:
        """From the original file, before anything is changed."""
        def values(keyword, where=ds):
            value = where.get(keyword)
            if value is None or value == "":
                return []
            return [str(v) for v in value] if isinstance(value, MultiValue | list) else [str(value)]

        names = [n for k in ("PatientName", "OtherPatientNames", "PatientBirthName", "PatientMotherBirthName")
                 for n in values(k)]
        ids = values("PatientID") + values("OtherPatientIDs") + \
            [i for item in ds.get("OtherPatientIDsSequence", []) for i in values("PatientID", item)]
        uids = [u for k in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID", "FrameOfReferenceUID")
                for u in values(k)]
        meta = getattr(ds, "file_meta", None)
        if meta is not None:
            uids += values("MediaStorageSOPInstanceUID", meta)
        return cls(tuple(names), tuple(ids), tuple(values("PatientBirthDate")), tuple(dict.fromkeys(uids)))

    @cached_property
    def patterns(self) -> tuple[_Pattern, ...]:
        found = [p for name in self.names for p in _name_patterns(name)]
        found += [p for i in self.ids for p in _id_patterns(i)]
        found += [p for d in self.birth_dates for p in _date_patterns(d)]
        found += [p for u in self.uids for p in _uid_patterns(u)]
        return tuple({(p.regex.pattern, p.not_after): p for p in found}.values())


@dataclass(frozen=True)
class Finding:
    what: str   # "patient's name", "patient ID", "birth date", "original UID": never the value itself
    where: str  # "(0008,0070) Manufacturer", "(0040,0275) RequestAttributesSequence[0] > (0040,0007) ...", "preamble"

    def __str__(self) -> str:
        return f"{self.what} in {self.where}"


def scan(ds: Dataset, needles: Needles) -> list[Finding]:
    """Every place in `ds` (preamble, file meta, elements at any depth, private or not, text or bytes)
    where one of the needles is found."""
    patterns = needles.patterns
    findings: dict[Finding, None] = {}
    if not patterns:
        return []

    def check(texts: list[str], where: str) -> None:
        for pattern in patterns:
            if any(pattern.found_in(text) for text in texts):
                findings.setdefault(Finding(pattern.what, where))

    def walk(data: Dataset, prefix: str) -> None:
        for tag in list(data.keys()):
            element = data.get_item(tag)
            where = prefix + _describe(tag)
            if isinstance(element, RawDataElement):
                vr = element.VR or _dictionary_vr(tag)
                if vr == "SQ" or (vr in (None, "UN") and element.length == 0xFFFFFFFF):
                    element = data[tag]  # parsed, to look inside the items
                else:
                    if vr not in _NUMBER_VRS and element.value:
                        check(_texts_of_bytes(element.value, tag in _PIXELS), where)
                    continue
            if element.VR == "SQ":
                for number, item in enumerate(element.value):
                    walk(item, f"{where}[{number}] > ")
                continue
            value = element.value
            if value is None or value == "" or element.VR in _NUMBER_VRS:
                continue
            if isinstance(value, bytes | bytearray):
                check(_texts_of_bytes(bytes(value), tag in _PIXELS), where)
            else:
                text = "\\".join(map(str, value)) if isinstance(value, MultiValue | list | tuple) else str(value)
                check([fold(text)], where)

    preamble = getattr(ds, "preamble", None)
    if preamble:
        check(_texts_of_bytes(preamble), "preamble")
    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        walk(meta, "")
    walk(ds, "")
    return list(findings)


def _describe(tag: BaseTag) -> str:
    keyword = keyword_for_tag(tag)
    return f"({tag.group:04X},{tag.element:04X})" + (f" {keyword}" if keyword else "")


def _dictionary_vr(tag: BaseTag) -> str | None:
    try:
        return dictionary_VR(tag).split(" or ")[0]
    except KeyError:
        return None


_WHOLE_LIMIT = 64 * 1024
_RUNS_8 = re.compile(rb"(?:[\x20-\x7e]|[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}){4,}")  # ASCII, UTF-8
_PIXELS = {0x7FE00008, 0x7FE00009, 0x7FE00010}


def _texts_of_bytes(data: bytes, pixels: bool = False) -> list[str]:
    """The text in bytes, read every way a name or number could have been written into them.

    Up to 64 KiB (every text element, most binary ones): the whole value as Latin-1, UTF-8, Windows-1258
    and UTF-16 (either byte order, either alignment). Larger values: the bytes as ASCII, and every other
    byte (UTF-16 of unaccented text, either order and alignment); outside pixel data, the runs of UTF-8
    text too. So scanning a CT costs a pass over its bytes rather than decoding every pixel several ways;
    accented text in UTF-16 or Windows-1258 inside a value that large is not looked for."""
    if len(data) <= _WHOLE_LIMIT:
        texts = [data.decode("latin-1")]
        if not data.isascii():
            texts += [data.decode("utf-8", "ignore"), data.decode("cp1258", "ignore")]
        if b"\0" in data or not data.isascii():
            texts += [part.decode(codec, "ignore") for part in (data, data[1:]) for codec in ("utf-16-le", "utf-16-be")]
        return [fold(text) for text in texts]
    low = data.lower()
    texts = [low.decode("latin-1"), low[0::2].decode("latin-1"), low[1::2].decode("latin-1")]
    if not pixels:
        runs = [run.decode("utf-8", "ignore") for run in _RUNS_8.findall(data) if not run.isascii()]
        texts += [fold("\n".join(runs))] if runs else []
    return texts


# One file, end to end.

@dataclass(frozen=True)
class Exported:
    path: Path | None  # None: refused, nothing written
    burned_in: bool
    findings: tuple[Finding, ...] = field(default=())


def export_file(source: Path, folder: Path, deidentifier: Deidentifier, patient: Needles = Needles()) -> Exported:
    """A de-identified copy of `source` in `folder`, named by its new SOP Instance UID, unless the copy
    as written still holds the patient (from `source` itself, and `patient`: the case's record)."""
    import pydicom

    ds = pydicom.dcmread(source)
    if not ds.get("SOPInstanceUID"):
        raise ValueError("no SOP Instance UID: not an instance that can be sent")
    needles = Needles.from_dataset(ds) | patient
    result = deidentifier.deidentify(ds)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{ds.SOPInstanceUID}.dcm"
    partial = target.with_name(target.name + ".part")  # never taken for a finished copy
    try:
        ds.save_as(partial, enforce_file_format=True)
        findings = tuple(scan(pydicom.dcmread(partial), needles))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if findings:
        partial.unlink()
        return Exported(None, result.burned_in, findings)
    partial.replace(target)
    return Exported(target, result.burned_in)

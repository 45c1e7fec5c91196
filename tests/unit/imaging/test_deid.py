"""De-identification for experts abroad: the PS3.15 Basic Profile applied to every attribute it lists,
private tags and the file meta cleaned, and a scan of every output for the patient's identity."""

import io
import warnings
from datetime import date
from pathlib import Path

import pydicom
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydicom.datadict import dictionary_VR, keyword_for_tag
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import generate_uid

from app.imaging.basic_profile import BASIC_PROFILE, MODIFIED_DATES
from app.imaging.deid import IMPLEMENTATION_CLASS_UID, SAFE_PRIVATE, Deidentifier, Needles, export_file, fold, scan
from tests.unit.imaging.planted import (BHYT, BIRTH, CCCD, DICOM_NAME, NAME, PATIENT_ID, PHONE, leaks,
                                        planted_dataset, planted_file)

PATIENT = Needles.for_patient(name=NAME, ids=[CCCD, BHYT, PHONE], birth=date(1968, 3, 12))


def uids_of(ds: Dataset) -> list[str]:
    return [str(ds[k].value) for k in ("StudyInstanceUID", "SeriesInstanceUID", "SOPInstanceUID",
                                       "FrameOfReferenceUID") if k in ds and ds[k].value]


def codes(ds: Dataset) -> set[str]:
    return {item.CodeValue for item in ds.DeidentificationMethodCodeSequence}


# The table.

def test_the_table_is_the_whole_of_table_e1_1():
    assert len(BASIC_PROFILE) == 617  # plus curves, overlay data, overlay comments and private attributes
    assert set(BASIC_PROFILE.values()) == {"D", "Z", "X", "U", "X/Z", "X/D", "Z/D", "X/Z/D", "X/Z/U*"}
    assert BASIC_PROFILE[0x00100010] == "Z" and BASIC_PROFILE[0x00100020] == "Z/D"  # Patient's Name, Patient ID
    assert BASIC_PROFILE[0x00100030] == "Z" and BASIC_PROFILE[0x00101000] == "X"  # birth date, Other Patient IDs
    assert BASIC_PROFILE[0x00204000] == "X" and BASIC_PROFILE[0x00081030] == "X"  # Image Comments, Study Description
    assert BASIC_PROFILE[0x00104000] == "X" and BASIC_PROFILE[0x001021B0] == "X"  # Patient Comments, history
    assert BASIC_PROFILE[0x0020000D] == "U" and BASIC_PROFILE[0x00081140] == "X/Z/U*"
    assert BASIC_PROFILE[0x00020003] == "U" and BASIC_PROFILE[0xFFFAFFFA] == "X"  # file meta, digital signatures
    assert 0x00080020 in MODIFIED_DATES and 0x00100030 not in MODIFIED_DATES  # Study Date shifts; birth date never


SAMPLE = {"AE": "NGUYEN VAN DUOC", "AS": "058Y", "CS": "NGUYEN VAN DUOC", "DA": BIRTH, "DS": BIRTH, "IS": BIRTH,
          "DT": BIRTH + "101010", "TM": "101010", "LO": NAME, "LT": NAME, "SH": NAME, "ST": NAME, "UC": NAME,
          "UT": NAME, "PN": DICOM_NAME, "UR": "http://nguyen-van-duoc.example/", "AT": 0x00100010, "FL": 1.0,
          "FD": 1.0, "SL": 1, "SS": 1, "SV": 1, "UL": 1, "US": 1, "UV": 1}
BYTES_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}


def every_listed_attribute(original_uid: str) -> Dataset:
    ds = Dataset()
    for tag in BASIC_PROFILE:
        if tag >> 16 in (0x0000, 0x0002):  # command and file meta groups: not in a stored data set
            continue
        vr = dictionary_VR(tag).split(" or ")[0]
        if vr == "SQ":
            item = Dataset()
            item.ImageComments = NAME
            item.ReferencedSOPInstanceUID = original_uid
            value = Sequence([item])
        elif vr == "UI":
            value = original_uid
        elif vr in BYTES_VRS:
            value = NAME.encode().ljust(24, b" ")
        else:
            value = SAMPLE[vr]
        ds.add_new(tag, vr, value)
    ds.SOPClassUID = "1.2.840.10008.5.1.4.1.1.7"
    return ds


def test_every_attribute_the_profile_lists_gets_its_action():
    original_uid = generate_uid()
    ds = every_listed_attribute(original_uid)
    before = {element.tag: element.value for element in ds}
    Deidentifier("case-1").deidentify(ds)
    for tag, action in BASIC_PROFILE.items():
        if tag not in before:
            continue
        name = keyword_for_tag(tag)
        last = action.split("/")[-1]  # the choice every IOD accepts: D over Z over X (PS3.15 E.1.1)
        if tag in MODIFIED_DATES:  # shifted (a time only with its date), or the profile's action
            assert tag not in ds or ds[tag].value != before[tag], name
        elif last == "X":
            assert tag not in ds, name
        elif last == "Z":
            assert tag in ds and not ds[tag].value, name
        elif ds[tag].VR == "SQ":  # D: emptied; U*: kept, its UIDs new and the rest by the table
            assert all(item.get("ReferencedSOPInstanceUID") != original_uid and "ImageComments" not in item
                       for item in ds[tag].value), name
            assert last == "U*" or len(ds[tag].value) == 0, name
        else:  # D, U
            assert ds[tag].value and ds[tag].value != before[tag], name
    needles = Needles(names=(NAME,), ids=(BIRTH,), birth_dates=(BIRTH,), uids=(original_uid,))
    assert scan(ds, needles) == []
    ds.save_as(io.BytesIO(), implicit_vr=False, little_endian=True)  # still a writable data set


# Files with the identity planted everywhere.

def test_planted_identity_is_found_in_the_original_and_gone_from_the_export(tmp_path):
    source = planted_file(tmp_path / "planted.dcm")
    original = pydicom.dcmread(source)
    needles = Needles.from_dataset(original) | PATIENT
    found = {finding.where for finding in scan(original, needles)}
    for place in ("preamble", "PrivateInformation", "SourceApplicationEntityTitle", "(0009,1001)", "(0009,1003)",
                  "(0011,1001)", "ImageComments", "StudyDescription", "PatientComments", "AdditionalPatientHistory",
                  "ScheduledProcedureStepDescription", "OverlayData", "(0009,1002)", "PatientBirthDate"):
        assert any(place in where for where in found), place

    exported = export_file(source, tmp_path / "out", Deidentifier("case-1"), PATIENT)
    assert exported.findings == () and exported.path is not None
    assert leaks(exported.path.read_bytes(), uids_of(original)) == []
    ds = pydicom.dcmread(exported.path)
    assert not any(element.tag.is_private for element in ds.iterall())
    assert set(ds.file_meta.keys()) <= {0x00020000, 0x00020001, 0x00020002, 0x00020003, 0x00020010, 0x00020012,
                                        0x00020013}
    assert ds.file_meta.ImplementationClassUID == IMPLEMENTATION_CLASS_UID
    assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID != original.SOPInstanceUID
    assert ds.preamble == b"\0" * 128
    assert ds.PatientIdentityRemoved == "YES" and codes(ds) == {"113100", "113107"}
    assert ds.LongitudinalTemporalInformationModified == "MODIFIED"
    assert ds.StudyDate and ds.StudyDate != original.StudyDate and ds.PatientBirthDate == ""
    for gone in ("ImageComments", "StudyDescription", "SeriesDescription", "PatientComments", "OtherPatientIDs",
                 "AdditionalPatientHistory", "OtherPatientNames", "OtherPatientIDsSequence", "PatientAge",
                 "PatientTelephoneNumbers", 0x60003000, 0x60000010):
        assert gone not in ds, gone
    assert "RequestAttributesSequence" not in ds  # X, with the descriptions typed in it
    assert ds.pixel_array.shape == (8, 8)


def test_a_file_the_profile_cannot_clean_is_refused(tmp_path):
    ds = planted_dataset()
    ds.Manufacturer = "Nguyen Van Duoc"  # kept by the profile, as if the name had been typed there
    ds.SoftwareVersions = f"ID {PATIENT_ID}"
    ds.save_as(tmp_path / "named.dcm", enforce_file_format=True)
    exported = export_file(tmp_path / "named.dcm", tmp_path / "out", Deidentifier("case-1"), PATIENT)
    assert exported.path is None
    assert {(finding.what, finding.where) for finding in exported.findings} >= {
        ("patient's name", "(0008,0070) Manufacturer"), ("patient ID", "(0018,1020) SoftwareVersions")}
    assert list((tmp_path / "out").iterdir()) == []  # nothing written stays


def test_private_tags_go_unless_listed_safe_and_the_option_is_recorded(tmp_path):
    ds = planted_dataset()
    ds.private_block(0x0009, "ACME 1.1").add_new(0x05, "DS", "1000")  # say, a b-value
    Deidentifier("case-1").deidentify(ds)
    assert SAFE_PRIVATE == frozenset() and not any(e.tag.is_private for e in ds.iterall())
    assert "113111" not in codes(ds)

    ds = planted_dataset()
    ds.private_block(0x0009, "ACME 1.1").add_new(0x05, "DS", "1000")
    Deidentifier("case-1", safe_private=frozenset({("ACME 1.1", 0x0009, 0x05)})).deidentify(ds)
    kept = [e for e in ds.iterall() if e.tag.is_private]
    assert [(e.tag, e.value) for e in kept] == [(0x00090010, "ACME 1.1"), (0x00091005, "1000")]
    assert "113111" in codes(ds)


def test_strict_basic_profile_empties_the_dates():
    ds = planted_dataset()
    Deidentifier("case-1", modified_dates=False).deidentify(ds)
    assert ds.StudyDate == "" and ds.SeriesDate == ds.ContentDate == "19000101"  # Z; X/D and Z/D: D
    assert codes(ds) == {"113100"} and ds.LongitudinalTemporalInformationModified == "REMOVED"


def test_the_same_case_gets_the_same_new_uids():
    study = generate_uid()
    first, second = planted_dataset(study_uid=study), planted_dataset(study_uid=study)
    Deidentifier("case-1").deidentify(first)
    Deidentifier("case-1").deidentify(second)
    third = planted_dataset(study_uid=study)
    Deidentifier("case-2").deidentify(third)
    assert first.StudyInstanceUID == second.StudyInstanceUID != third.StudyInstanceUID


# pydicom's own test files.

def pydicom_samples() -> list[str]:
    from pydicom.data import get_testdata_files

    samples = []
    for path in get_testdata_files():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ds = pydicom.dcmread(path, stop_before_pixels=True)
        except Exception:
            continue  # not DICOM (the folder also holds other test data), or deliberately broken
        if "DirectoryRecordSequence" not in ds:
            samples.append(path)
    return samples


@pytest.mark.filterwarnings("ignore::UserWarning")  # the samples include deliberately invalid values
def test_nothing_of_the_patient_is_left_in_pydicoms_own_test_files(tmp_path):
    samples = pydicom_samples()
    exported, in_memory, findings = 0, 0, {}
    for number, path in enumerate(samples):
        original = pydicom.dcmread(path)
        if "SOPInstanceUID" in original:  # the station's own path: written, read back, scanned
            result = export_file(Path(path), tmp_path / str(number), Deidentifier("case-1"))
            found, exported = result.findings, exported + 1
            assert (result.path is None) == bool(found)
        else:  # test fragments (private sequences, odd file meta) that cannot be named as a copy
            needles = Needles.from_dataset(original)
            Deidentifier("case-1").deidentify(original)
            written = io.BytesIO()
            original.save_as(written)
            found, in_memory = scan(pydicom.dcmread(io.BytesIO(written.getvalue())), needles), in_memory + 1
        if found:
            findings[Path(path).name] = [str(f) for f in found]
    print(f"pydicom's readable, non-DICOMDIR test files: {exported} exported and scanned, {in_memory} without a "
          f"SOP Instance UID de-identified and scanned in memory")
    assert findings == {}
    assert exported + in_memory == len(samples) >= 150  # 149 + 6 with pydicom 3.0


# The scan, property-based.

PEOPLE = ["Nguyễn Văn Được", "Trần Thị Bích Ngọc", "Lê Hoàng Phúc", "Phạm Minh Đức", "Đặng Thu Hà", "Võ Quốc Khánh"]
DIGITS = "0123456789"


@st.composite
def written_name(draw, name: str) -> str:
    parts = name.split()
    if draw(st.booleans()):
        parts = [fold(part) for part in parts]  # typed without accents
    recase = draw(st.sampled_from([str.upper, str.lower, str.title, str]))
    parts = [recase(part) for part in parts]
    if draw(st.booleans()):
        parts = parts[-1:] + parts[:-1]  # given name first
    between = draw(st.sampled_from([" ", "^", "  ", "_", ", ", "-", ""]))
    family = draw(st.sampled_from([between, "^", ", "]))
    return parts[0] + family + between.join(parts[1:])


@st.composite
def written_number(draw, number: str) -> str:
    number = draw(st.sampled_from([str.upper, str.lower]))(number)
    separator = draw(st.sampled_from(["", " ", "-"]))
    return separator.join(number[i:i + 3] for i in range(0, len(number), 3))


@st.composite
def written_date(draw, day: date) -> str:
    form = draw(st.sampled_from(["%Y%m%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y/%m/%d", "%m/%d/%Y",
                                 "%d%m%Y", "unpadded"]))
    return f"{day.day}/{day.month}/{day.year}" if form == "unpadded" else day.strftime(form)


uids = st.lists(st.integers(0, 10**8), min_size=5, max_size=9).map(lambda xs: "1.2." + ".".join(map(str, xs))) \
    .filter(lambda uid: len(uid) <= 64)
patients = st.fixed_dictionaries({
    "name": st.sampled_from(PEOPLE),
    "cccd": st.text(DIGITS, min_size=12, max_size=12),
    "bhyt": st.tuples(st.sampled_from(["DN", "HT", "GD", "CH"]), st.text(DIGITS, min_size=13, max_size=13))
    .map("".join),
    "birth": st.dates(date(1920, 1, 1), date(2020, 12, 31)),
    "uid": uids,
})


def needles_of(patient) -> Needles:
    return Needles.for_patient(name=patient["name"], ids=[patient["cccd"], patient["bhyt"]],
                               birth=patient["birth"]) | Needles(uids=(patient["uid"],))


SEQUENCES = [(0x00400275, None), (0x00081140, None), (0x00091010, (0x00090010, "ACME 1.1"))]
TEXT_PLACES = [(0x00080070, "LO", None), (0x00204000, "LT", None), (0x0040A160, "UT", None), (0x00080081, "ST", None),
               (0x00111010, "LO", (0x00110010, "ACME 1.1")), (0x00111011, "UT", (0x00110010, "ACME 1.1"))]
BYTE_PLACES = [(0x00420011, "OB", None), (0x00111012, "OB", (0x00110010, "ACME 1.1")),
               (0x00111013, "UN", (0x00110010, "ACME 1.1")), (0x00111014, "OW", (0x00110010, "ACME 1.1")),
               ("meta", "OB", None)]
noise = st.lists(st.integers(0, 255).filter(lambda b: not chr(b).isalnum()), max_size=8).map(bytes)  # around a value
ENCODINGS = ["utf-8", "utf-16-le", "utf-16-be", "cp1258", "ascii"]


@st.composite
def placed(draw, text: str, ds: Dataset) -> Dataset:
    """`text` put somewhere in `ds`: at the top, or down sequences, as text or bytes in some encoding."""
    depth = draw(st.integers(0, 2))
    where = ds
    for _ in range(depth):
        tag, creator = draw(st.sampled_from(SEQUENCES))
        if creator is not None:
            where.add_new(creator[0], "LO", creator[1])
        item = Dataset()
        where.add_new(tag, "SQ", Sequence([item]))
        where = item
    if draw(st.booleans()):
        tag, vr, creator = draw(st.sampled_from(TEXT_PLACES))
        value: str | bytes = text
        if vr == "LO" and (len(text) > 64 or "\\" in text):
            vr = "UT"
    else:
        tag, vr, creator = draw(st.sampled_from(BYTE_PLACES if depth == 0 else BYTE_PLACES[:-1]))
        encoding = draw(st.sampled_from(ENCODINGS))
        try:
            value = text.encode(encoding)
        except UnicodeEncodeError:
            value = fold(text).encode(encoding)
        value = draw(noise) + value + draw(noise)
        value += b"\0" * (len(value) % 2)
    if creator is not None:
        where.add_new(creator[0], "LO", creator[1])
    if tag == "meta":
        ds.file_meta = FileMetaDataset()
        ds.file_meta.PrivateInformationCreatorUID = "1.2.3.4"
        ds.file_meta.PrivateInformation = value
    else:
        where.add_new(tag, vr, value)
    return ds


@given(patient=patients, data=st.data())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_scan_finds_the_patient_planted_anywhere(patient, data):
    kind = data.draw(st.sampled_from(["name", "cccd", "bhyt", "birth", "uid"]))
    if kind == "name":
        written = data.draw(written_name(patient["name"]))
    elif kind in ("cccd", "bhyt"):
        written = data.draw(written_number(patient[kind]))
    elif kind == "birth":
        written = data.draw(written_date(patient["birth"]))
    else:
        written = patient["uid"]
    before = data.draw(st.sampled_from(["", "BN ", "Ghi chú: ", "(", "x/", "số "]))
    after = data.draw(st.sampled_from(["", ".", " - tái khám", ")", "; "]))
    ds = data.draw(placed(before + written + after, Dataset()))
    assert scan(ds, needles_of(patient)) != []


CLEAN_WORDS = ["CT", "ngực", "phổi", "axial", "5mm", "ORIGINAL", "PRIMARY", "contrast", "tái khám", "u", "nốt", "mờ",
               "kV", "mA", "HU", "chest", "lung", "bone", "soft", "tissue", "Philips", "SIEMENS", "GE", "bụng", "gan"]
clean_text = st.lists(st.one_of(st.sampled_from(CLEAN_WORDS), st.integers(0, 999).map(str),
                                st.decimals(0, 99, places=2).map(str)), min_size=1, max_size=8) \
    .flatmap(lambda words: st.sampled_from([" ", ", ", "^", "\\", "/"]).map(lambda sep: sep.join(words)))


@given(patient=patients, data=st.data())
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_scan_does_not_flag_clean_files(patient, data):
    ds = Dataset()
    ds.PatientName = "ANONYMOUS"
    other_day = data.draw(st.dates(date(1900, 1, 1), date(2099, 12, 31)))
    assume(other_day != patient["birth"])
    ds.StudyDate = other_day.strftime("%Y%m%d")
    other_uid = data.draw(uids)
    assume(patient["uid"] not in other_uid)
    ds.StudyInstanceUID = other_uid
    for _ in range(data.draw(st.integers(1, 6))):
        ds = data.draw(placed(data.draw(clean_text), ds))
    assert scan(ds, needles_of(patient)) == []


# Needles: what counts as the patient's identity.

def test_fold_removes_vietnamese_accents_and_case():
    assert fold("Nguyễn Văn Được") == "nguyen van duoc"
    assert fold("ĐẶNG THU HÀ") == "dang thu ha"


def test_placeholders_and_very_short_ids_are_not_needles():
    ds = Dataset()
    ds.PatientName, ds.PatientID, ds.PatientBirthDate = "Anonymous", "ID1", ""
    assert Needles.from_dataset(ds).patterns == ()
    named = Dataset()
    named.PatientName = "Le^An"  # a short name: found as whole words only
    needles = Needles.from_dataset(named)
    clean, typed = Dataset(), Dataset()
    clean.ImageComments = "clean lean bean"
    typed.ImageComments = "BN Lê An, 58 tuổi"
    assert scan(clean, needles) == [] and scan(typed, needles) != []


def test_a_name_part_alone_is_found_but_not_inside_other_words():
    needles = Needles.for_patient(name="Nguyễn Văn Được")
    alone, inside = Dataset(), Dataset()
    alone.ImageComments = "anh DUOC tai kham"
    inside.ImageComments = "duocxyz vanguard"
    assert scan(alone, needles) != [] and scan(inside, needles) == []


def test_a_secondary_capture_without_a_modality_goes_to_the_burned_in_review():
    """A screenshot or scanned film (Secondary Capture) may show the name in its pixels, Modality or not."""
    from pydicom.uid import SecondaryCaptureImageStorage

    for modality in (None, "", "OT"):
        ds = planted_dataset()
        ds.SOPClassUID = SecondaryCaptureImageStorage
        ds.file_meta.MediaStorageSOPClassUID = SecondaryCaptureImageStorage
        if "BurnedInAnnotation" in ds:
            del ds.BurnedInAnnotation
        if modality is None:
            del ds.Modality
        else:
            ds.Modality = modality
        assert Deidentifier(seed="case-1").deidentify(ds).burned_in, modality


def test_new_uids_are_valid_2_25_uids_the_same_across_the_case():
    """PS3.5 B.2: a UUID-derived UID under 2.25; dicognito's own root ("2." + 40 digits) is an arc that does not exist."""
    import re

    import pydicom
    from pydicom.data import get_testdata_file

    from app.imaging.deid import Deidentifier

    first = Deidentifier("7b0e7c1e-3a61-4c1f-9d0e-2f3b1c9a0d11").deidentify(
        pydicom.dcmread(get_testdata_file("CT_small.dcm"))).dataset
    again = Deidentifier("7b0e7c1e-3a61-4c1f-9d0e-2f3b1c9a0d11").deidentify(
        pydicom.dcmread(get_testdata_file("CT_small.dcm"))).dataset
    for keyword in ("SOPInstanceUID", "StudyInstanceUID", "SeriesInstanceUID", "FrameOfReferenceUID"):
        value = first.get(keyword)
        assert re.fullmatch(r"2\.25\.(0|[1-9][0-9]*)", value) and len(value) <= 64, (keyword, value)
        assert again.get(keyword) == value
    assert first.file_meta.MediaStorageSOPInstanceUID == first.SOPInstanceUID

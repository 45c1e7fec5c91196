"""Importing files, folders, CDs and ZIPs into a case: every file gets its verdict."""

import zipfile
from dataclasses import replace
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pydicom import dcmread
from pydicom.data import get_testdata_file

from app.domain.attachment import AttachmentKind
from tests.support.dicom_series import ct_series, make_cd, ultrasound_cine


@pytest.fixture
def case(station):
    case = station.cases.create_case()
    return station.cases.save_draft(replace(case, patient=replace(case.patient, full_name="Nguyễn Văn Được",
                                                                  birth="12/03/1968", sex="male")))


def verdicts(report):
    return {Path(r.name).name: (r.status, r.code) for r in report.results}


def stored_hashes(station):
    return sorted(p.name for p in station.attachments.blobs.root.rglob("*") if p.is_file()
                  and p.parent.name != "incoming")


def test_pydicom_files_compressed_and_broken(station, case, tmp_path):
    names = ["CT_small.dcm", "JPEG2000.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_RLE.dcm",
             "MR_truncated.dcm", "rtplan.dcm"]
    paths = [Path(get_testdata_file(n)) for n in names]
    fake = tmp_path / "phim-chup.dcm"
    fake.write_text("day khong phai DICOM")
    report = station.imports.import_paths(case.id, paths + [fake])
    assert verdicts(report) == {
        "CT_small.dcm": ("imported", ""), "JPEG2000.dcm": ("imported", ""),
        # The same MR image in two transfer syntaxes: one SOP Instance UID, so the second is a duplicate.
        "MR_small_jpeg_ls_lossless.dcm": ("imported", ""), "MR_small_RLE.dcm": ("duplicate", ""),
        "MR_truncated.dcm": ("refused", "dicom.truncated"), "rtplan.dcm": ("refused", "dicom.no_pixels"),
        "phim-chup.dcm": ("refused", "dicom.not_dicom")}
    kept = {a.sha256 for a in station.attachments.list(case.id)}
    assert set(stored_hashes(station)) == kept  # nothing of a refused file stays


def test_photos_lose_their_exif_documents_are_kept_unknown_types_refused(station, case, tmp_path):
    tmp_path = tmp_path / "files"
    tmp_path.mkdir()
    jpeg = cv2.imencode(".jpg", np.full((40, 60, 3), 128, np.uint8))[1].tobytes()
    exif = b"Exif\x00\x00" + b"GPS 21.0285N 105.8542E; owner Nguyen Van A" + b"\x00" * 20
    with_exif = jpeg[:2] + b"\xff\xe1" + (len(exif) + 2).to_bytes(2, "big") + exif + jpeg[2:]
    (tmp_path / "vet-thuong.jpg").write_bytes(with_exif)
    (tmp_path / "ket-qua.pdf").write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    (tmp_path / "xet-nghiem.csv").write_text("Glucose,7.2\nHbA1c,8.1\n", encoding="utf-8")
    (tmp_path / "setup.exe").write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    report = station.imports.import_paths(case.id, sorted(tmp_path.iterdir()))
    assert verdicts(report) == {"vet-thuong.jpg": ("imported", ""), "ket-qua.pdf": ("imported", ""),
                                "xet-nghiem.csv": ("imported", ""), "setup.exe": ("refused", "file.unsupported")}
    by_name = {a.original_name: a for a in station.attachments.list(case.id)}
    photo = station.attachments.path(by_name["vet-thuong.jpg"]).read_bytes()
    assert b"GPS" not in photo and photo.endswith(jpeg[-100:])
    assert cv2.imdecode(np.frombuffer(photo, np.uint8), cv2.IMREAD_COLOR).shape == (40, 60, 3)
    assert by_name["xet-nghiem.csv"].kind is AttachmentKind.LAB
    assert by_name["ket-qua.pdf"].kind is AttachmentKind.DOCUMENT


def test_a_cd_folder_with_dicomdir_and_a_missing_file(station, case, tmp_path):
    source = tmp_path / "series"
    ct_series(source, slices=6)
    ultrasound_cine(source / "US0001")
    cd = tmp_path / "cd"
    make_cd(source, cd)
    images = sorted(p for p in cd.rglob("*") if p.is_file() and p.name != "DICOMDIR")
    images[0].unlink()  # the CD lost one image
    report = station.imports.import_paths(case.id, [cd])
    assert report.count("imported") == 6
    missing = [r for r in report.results if r.status == "refused"]
    assert [r.code for r in missing] == ["dicomdir.missing_file"]
    again = station.imports.import_paths(case.id, [cd / "DICOMDIR"])
    assert again.count("duplicate") == 6 and again.count("imported") == 0


def test_duplicates_by_content_and_by_instance_uid(station, case, tmp_path):
    (path,) = ct_series(tmp_path / "a", slices=1)
    first = station.imports.import_paths(case.id, [path])
    assert verdicts(first)[path.name] == ("imported", "")
    assert verdicts(station.imports.import_paths(case.id, [path]))[path.name] == ("duplicate", "")
    ds = dcmread(path)
    ds.InstitutionName = "BV huyen"  # the same image (SOP Instance UID), other bytes
    copy = tmp_path / "copy.dcm"
    ds.save_as(copy, enforce_file_format=True)
    assert verdicts(station.imports.import_paths(case.id, [copy]))["copy.dcm"] == ("duplicate", "")
    assert len(station.attachments.list(case.id)) == 1


def test_zip_archives_safe_and_unsafe(station, case, tmp_path):
    series = ct_series(tmp_path / "s", slices=3)
    good = tmp_path / "phim.zip"
    with zipfile.ZipFile(good, "w") as archive:
        for path in series:
            archive.write(path, f"CT/{path.name}")
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("../../etc/cron.d/x", "* * * * * root rm -rf /")
        archive.writestr("bomb.dcm", b"\0" * (20 << 20))
    broken = tmp_path / "broken.zip"
    broken.write_bytes(good.read_bytes()[:200])
    report = station.imports.import_paths(case.id, [good, evil, broken])
    assert report.count("imported") == 3
    refused = {r.name: r.code for r in report.results if r.status == "refused"}
    assert refused == {"evil.zip/../../etc/cron.d/x": "zip.unsafe_path", "evil.zip/bomb.dcm": "zip.bomb",
                       "broken.zip": "zip.unreadable"}
    assert not (tmp_path.parent / "etc").exists()


def test_empty_folder_huge_file_and_patient_mismatch(station, case, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    huge = tmp_path / "huge.dcm"
    with open(huge, "wb") as f:
        f.truncate(2 << 30)  # a 2 GB file (sparse: costs no disk)
    other = ct_series(tmp_path / "other", slices=2, patient_name="LE^THI^HOA")
    report = station.imports.import_paths(case.id, [empty, huge, *other])
    assert verdicts(report)["empty"] == ("refused", "folder.empty")
    assert verdicts(report)["huge.dcm"] == ("refused", "file.too_large")
    assert report.count("imported") == 2
    (warning,) = report.warnings
    assert warning.dicom_name == "LE^THI^HOA" and warning.mismatches == ("name",)


def test_cancel_stops_and_keeps_what_was_done(station, case, tmp_path):
    series = ct_series(tmp_path / "s", slices=10)
    asked = []

    def cancelled():
        asked.append(1)
        return len(asked) > 4

    report = station.imports.import_paths(case.id, series, cancelled=cancelled)
    assert report.cancelled and 0 < report.count("imported") < 10
    assert len(station.attachments.list(case.id)) == report.count("imported")
    assert set(stored_hashes(station)) == {a.sha256 for a in station.attachments.list(case.id)}


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.binary(max_size=2000), dicm=st.booleans(), name=st.sampled_from(["a.dcm", "b", "c.jpg", "d.pdf"]))
def test_any_bytes_get_a_verdict_never_a_crash(station, case, tmp_path_factory, body, dicm, name):
    folder = tmp_path_factory.mktemp("fuzz")
    data = (b"\0" * 128 + b"DICM" + body) if dicm else body
    (folder / name).write_bytes(data or b"x")
    report = station.imports.import_paths(case.id, [folder / name])
    assert report.results[0].status in ("imported", "duplicate", "refused")


def test_an_unsupported_compression_is_refused_by_name(station, case, tmp_path):
    (path,) = ct_series(tmp_path / "ct", slices=1)
    ds = dcmread(path)
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.100"  # MPEG-2 video: no decoder here
    from pydicom.encaps import encapsulate

    ds.PixelData = encapsulate([b"\0" * 64])
    odd = tmp_path / "mpeg2.dcm"
    ds.save_as(odd, enforce_file_format=False)
    assert verdicts(station.imports.import_paths(case.id, [odd]))["mpeg2.dcm"] == \
        ("refused", "dicom.unsupported_syntax")

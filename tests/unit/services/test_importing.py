"""Importing files, folders, CDs and ZIPs into a case: every file gets its verdict."""

import io
import warnings
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
    assert not list((station.attachments.blobs.root / "incoming").iterdir())  # nor copies made ahead


def test_large_files_and_archive_members_are_stored_whole(station, case, tmp_path):
    import hashlib

    video = tmp_path / "noi-soi.mp4"
    body = b"\0\0\0\x18ftypisom" + b"\0" * 12 + np.random.default_rng(1).bytes((40 << 20) + 12345)
    video.write_bytes(body)  # above the small-file size: streamed, written while hashed
    series = ct_series(tmp_path / "s", slices=3)
    archive = tmp_path / "phim.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in series:
            z.write(path, path.name)
    report = station.imports.import_paths(case.id, [video, archive])
    assert report.count("imported") == 4, report.results
    for attachment in station.attachments.list(case.id):
        stored = station.attachments.path(attachment).read_bytes()
        assert hashlib.sha256(stored).hexdigest() == attachment.sha256
    by_name = {a.original_name: a for a in station.attachments.list(case.id)}
    assert station.attachments.path(by_name["noi-soi.mp4"]).read_bytes() == body
    assert not list((station.attachments.blobs.root / "incoming").iterdir())


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


# Inputs nobody here wrote: damaged, encrypted, truncated, or valid but unusual. Each gets its own verdict.

def _patch_zip_member(archive: Path, member: str, flag: int = 0, method: int | None = None) -> None:
    """Set general-purpose flag bits (bit 0: encrypted) and the method in both headers of `member`."""
    data = bytearray(archive.read_bytes())
    with zipfile.ZipFile(archive) as z:
        info = z.getinfo(member)
    local = info.header_offset
    central = data.find(b"PK\x01\x02")
    while data[central + 46:central + 46 + len(member)] != member.encode():
        central = data.find(b"PK\x01\x02", central + 4)
    for offset in (local + 6, central + 8):
        data[offset] |= flag
    if method is not None:
        for offset in (local + 8, central + 10):
            data[offset:offset + 2] = method.to_bytes(2, "little")
    archive.write_bytes(bytes(data))


def _deeply_nested(path: Path, depth: int) -> None:
    """A valid-looking CT whose private sequence nests `depth` levels deep (undefined lengths)."""
    (ct,) = ct_series(path.parent / "nest-src", slices=1)
    raw = ct.read_bytes()
    nested = b""
    item_start, item_end, seq_end = b"\xfe\xff\x00\xe0\xff\xff\xff\xff", b"\xfe\xff\x0d\xe0\0\0\0\0", \
        b"\xfe\xff\xdd\xe0\0\0\0\0"
    for _ in range(depth):
        nested = b"\x09\x00\x10\x10SQ\0\0\xff\xff\xff\xff" + item_start + nested + item_end + seq_end
    ds = dcmread(ct)
    cut = raw.index(b"\x10\x00\x10\x00")  # before PatientName (0010,0010): group 0009 sorts before it
    path.write_bytes(raw[:cut] + nested + raw[cut:])
    assert dcmread(ct).SOPInstanceUID == ds.SOPInstanceUID


def test_one_bad_file_never_stops_the_import(station, case, tmp_path):
    series = ct_series(tmp_path / "s", slices=4)
    encrypted = tmp_path / "mat-khau.zip"
    with zipfile.ZipFile(encrypted, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(series[0], "a.dcm")
        archive.write(series[1], "b.dcm")
    _patch_zip_member(encrypted, "a.dcm", flag=1)             # ZipCrypto: a password is needed
    _patch_zip_member(encrypted, "b.dcm", flag=1, method=99)  # WinZip AES
    damaged = tmp_path / "hong.zip"
    with zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(series[2], "c.dcm")
    data = bytearray(damaged.read_bytes())
    middle = len(data) // 3
    data[middle:middle + 64] = bytes(b ^ 0x5A for b in data[middle:middle + 64])
    damaged.write_bytes(bytes(data))
    deflated = Path(get_testdata_file("image_dfl.dcm")).read_bytes()
    (tmp_path / "dfl-cut.dcm").write_bytes(deflated[:len(deflated) // 2])
    flipped = []
    ct = Path(get_testdata_file("CT_small.dcm")).read_bytes()
    for i, (start, stop) in enumerate([(132, 400), (300, 700), (700, 1200), (132, 2000)]):
        data = bytearray(ct)
        for offset in range(start, stop, 7):
            data[offset] ^= 0xFF
        flipped.append(tmp_path / f"lat-{i}.dcm")
        flipped[-1].write_bytes(bytes(data))
    _deeply_nested(tmp_path / "long-nhau.dcm", 3000)
    paths = [encrypted, damaged, tmp_path / "dfl-cut.dcm", *flipped, tmp_path / "long-nhau.dcm", series[3]]
    report = station.imports.import_paths(case.id, paths)
    found = verdicts(report)
    assert found["a.dcm"] == ("refused", "zip.encrypted") and found["b.dcm"] == ("refused", "zip.encrypted")
    assert found["c.dcm"] == ("refused", "zip.damaged_member")
    assert found["dfl-cut.dcm"][0] == "refused" and found["dfl-cut.dcm"][1] in ("dicom.unreadable", "dicom.truncated")
    for path in flipped:
        assert found[path.name][0] in ("refused", "imported"), found[path.name]
        if found[path.name][0] == "refused":
            assert found[path.name][1].startswith("dicom."), found[path.name]
    assert found["long-nhau.dcm"] == ("refused", "dicom.unreadable")
    assert found[series[3].name] == ("imported", "")  # the file after all of them
    assert all(r.status in ("imported", "refused") for r in report.results)
    assert set(stored_hashes(station)) == {a.sha256 for a in station.attachments.list(case.id)}


def _one_bit_segmentation(path: Path, frames: int = 3, size: int = 13) -> Path:
    """A 1-bit segmentation as highdicom writes them: frames packed bit by bit, without padding between them."""
    from pydicom.pixels import pack_bits
    from pydicom.uid import SegmentationStorage

    (ct,) = ct_series(path.parent / "seg-src", slices=1)
    ds = dcmread(ct)
    ds.SOPClassUID = ds.file_meta.MediaStorageSOPClassUID = SegmentationStorage
    ds.Modality, ds.NumberOfFrames, ds.Rows, ds.Columns = "SEG", frames, size, size
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 1, 1, 0
    ds.SegmentationType = "BINARY"
    del ds.RescaleIntercept, ds.RescaleSlope, ds.WindowCenter, ds.WindowWidth
    mask = np.zeros((frames, size, size), np.uint8)
    mask[:, 3:9, 4:10] = 1
    ds.PixelData = pack_bits(mask)  # 3 * 169 bits = 64 bytes: fewer than a byte per pixel
    ds.save_as(path, enforce_file_format=True)
    return path


def test_valid_but_unusual_images_are_accepted(station, case, tmp_path):
    seg = _one_bit_segmentation(tmp_path / "seg.dcm")
    no_header = []
    for name in ("CT_small.dcm", "MR_small_implicit.dcm"):  # the dataset alone: no preamble, no DICM, no meta
        ds = dcmread(get_testdata_file(name))
        implicit = ds.file_meta.TransferSyntaxUID.is_implicit_VR
        del ds.file_meta
        ds.preamble = None
        no_header.append(tmp_path / f"{Path(name).stem}-no-meta")
        ds.save_as(no_header[-1], implicit_vr=implicit, little_endian=True, enforce_file_format=False)
        assert no_header[-1].read_bytes()[:2] == b"\x08\x00"
    paths = [seg, Path(get_testdata_file("SC_ybr_full_422_uncompressed.dcm")), *no_header]
    report = station.imports.import_paths(case.id, paths)
    assert verdicts(report) == {p.name: ("imported", "") for p in paths}
    # A dataset without its Part-10 header is stored with one, so every reader takes it.
    by_name = {a.original_name: a for a in station.attachments.list(case.id)}
    for path, name in zip(no_header, ("CT_small.dcm", "MR_small_implicit.dcm"), strict=True):
        stored = station.attachments.path(by_name[path.name]).read_bytes()
        assert stored[128:132] == b"DICM"
        assert (dcmread(io.BytesIO(stored)).pixel_array == dcmread(get_testdata_file(name)).pixel_array).all()
    # An RT plan without its header is DICOM too: refused for having no image, not for not being DICOM.
    plan = Path(get_testdata_file("ExplVR_LitEndNoMeta.dcm"))
    assert verdicts(station.imports.import_paths(case.id, [plan]))[plan.name] == ("refused", "dicom.no_pixels")


def test_an_undecodable_image_is_refused_and_a_good_copy_of_it_is_taken(station, case, tmp_path):
    bad = tmp_path / "badVR.dcm"
    bad.write_bytes(Path(get_testdata_file("badVR.dcm")).read_bytes())  # NumberOfFrames "1A": no reader shows it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pydicom says the value is invalid, when it reads it
        ds = dcmread(bad)
        ds.NumberOfFrames = 1
    ds.NumberOfFrames = 1
    good = tmp_path / "good.dcm"
    ds.save_as(good)
    report = station.imports.import_paths(case.id, [bad, good])
    assert verdicts(report) == {"badVR.dcm": ("refused", "dicom.undecodable"), "good.dcm": ("imported", "")}


def test_an_undecodable_copy_in_the_case_gives_way_to_a_good_one(station, case, tmp_path):
    from pydicom.encaps import encapsulate, generate_frames

    good = Path(get_testdata_file("SC_rgb_rle_2frame.dcm"))
    ds = dcmread(good)
    first, second = generate_frames(ds.PixelData, number_of_frames=2)
    ds.PixelData = encapsulate([first, second[:100]])  # frame 2 cut short
    bad = tmp_path / "hong-khung-2.dcm"
    ds.save_as(bad)
    # Its first frame decodes, so the import takes it; the viewer fails on the second.
    assert verdicts(station.imports.import_paths(case.id, [bad]))[bad.name] == ("imported", "")
    assert verdicts(station.imports.import_paths(case.id, [good]))[good.name] == ("imported", "")
    (kept,) = station.attachments.list(case.id)
    assert kept.original_name == good.name
    assert set(stored_hashes(station)) == {kept.sha256}
    with station.db.transaction() as session:
        from app.storage.dicom_index import DicomIndex

        assert [i.attachment_id for i in DicomIndex().for_case(session, case.id)] == [kept.id]
    # And a good copy never gives way to a bad one.
    assert verdicts(station.imports.import_paths(case.id, [bad]))[bad.name] == ("duplicate", "")


def test_a_cd_with_lower_case_names(station, case, tmp_path):
    source = tmp_path / "series"
    ct_series(source, slices=5)
    cd = tmp_path / "cd"
    make_cd(source, cd)
    for path in sorted(cd.rglob("*"), key=lambda p: -len(p.parts)):  # as Linux mounts a plain ISO 9660 disc
        path.rename(path.with_name(path.name.lower()))
    report = station.imports.import_paths(case.id, [cd])
    assert report.count("imported") == 5 and report.count("refused") == 0, report.results
    again = station.imports.import_paths(case.id, [cd / "dicomdir"])
    assert again.count("duplicate") == 5 and again.count("refused") == 0, again.results


def test_a_damaged_or_empty_dicomdir_is_said_and_the_disc_scanned(station, case, tmp_path):
    source = tmp_path / "series"
    ct_series(source, slices=6)
    for name, damage in (("cut", lambda b: b[:len(b) * 2 // 3]), ("empty", None)):
        cd = tmp_path / name
        dicomdir = make_cd(source, cd)
        if damage is not None:
            dicomdir.write_bytes(damage(dicomdir.read_bytes()))
        else:
            ds = dcmread(dicomdir)
            ds.DirectoryRecordSequence = []
            ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity = 0
            ds.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity = 0
            ds.save_as(dicomdir)
        (cd / "autorun.inf").write_text("[autorun]\nopen=viewer.exe\n")
        fresh = station.cases.create_case()
        report = station.imports.import_paths(fresh.id, [dicomdir])
        codes = [r.code for r in report.results if r.status == "refused"]
        assert codes == ["dicomdir.damaged" if damage else "dicomdir.empty"], report.results
        assert report.count("imported") == 6, report.results


def test_a_dicomdir_entry_outside_the_disc(station, case, tmp_path):
    source = tmp_path / "series"
    ct_series(source, slices=2)
    cd = tmp_path / "cd"
    dicomdir = make_cd(source, cd)
    ds = dcmread(dicomdir)
    listed = "\\".join(next(r for r in ds.DirectoryRecordSequence if "ReferencedFileID" in r).ReferencedFileID)
    outside = "..\\..\\..\\ETC\\PASSWD"
    # Same length, so the index's record offsets stay right: only the entry is wrong.
    data = dicomdir.read_bytes().replace(listed.encode(), outside.ljust(len(listed), "\\").encode(), 1)
    dicomdir.write_bytes(data)
    report = station.imports.import_paths(case.id, [dicomdir])
    assert [r.code for r in report.results if r.status == "refused"] == ["dicomdir.outside_disc"]


def _peak_memory(code: str) -> tuple[int, str]:
    """Peak bytes allocated by Python while `code` runs in a fresh interpreter (tracemalloc)."""
    import subprocess
    import sys

    script = "import tracemalloc\ntracemalloc.start()\n" + code + "\nprint(tracemalloc.get_traced_memory()[1])\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300,
                          cwd=Path(__file__).resolve().parents[3])
    assert done.returncode == 0, done.stderr[-2000:]
    *output, peak = done.stdout.split("\n")[:-1]
    return int(peak), "\n".join(output)


def test_memory_bombs_are_bounded_before_allocating(tmp_path):
    lying = tmp_path / "noi-doi.zip"
    with zipfile.ZipFile(lying, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("IM0001.dcm", b"\0" * (400 << 20))
    data = bytearray(lying.read_bytes())
    assert len(data) < 1 << 20
    with zipfile.ZipFile(lying) as z:
        info = z.getinfo("IM0001.dcm")
    central = data.find(b"PK\x01\x02")
    for offset in (info.header_offset + 22, central + 24):  # the uncompressed size: 1000 bytes, it says
        data[offset:offset + 4] = (1000).to_bytes(4, "little")
    lying.write_bytes(bytes(data))

    from pydicom.encaps import encapsulate
    from pydicom.uid import RLELossless

    (ct,) = ct_series(tmp_path / "rle-src", slices=1)
    ds = dcmread(ct)
    ds.file_meta.TransferSyntaxUID = RLELossless
    ds.Rows = ds.Columns = 16384
    header = (1).to_bytes(4, "little") + (64).to_bytes(4, "little") + b"\0" * 56
    ds.PixelData = encapsulate([header + b"\x81\x00" * (4 << 20)])  # 8 MB of runs of zeros
    ds["PixelData"].VR = "OB"
    huge = tmp_path / "rle-16384.dcm"
    ds.save_as(huge)
    code = (f"from pathlib import Path\nfrom app.services.station import Station\n"
            f"station = Station(Path({str(tmp_path / 'st')!r}))\ncase = station.cases.create_case()\n"
            f"report = station.imports.import_paths(case.id, [Path({str(lying)!r}), Path({str(huge)!r})])\n"
            f"print(sorted((r.name, r.status, r.code) for r in report.results))\nstation.close()")
    peak, output = _peak_memory(code)
    assert "'noi-doi.zip/IM0001.dcm', 'refused', 'zip.damaged_member'" in output, output
    assert "'rle-16384.dcm', 'refused', 'dicom.image_too_large'" in output, output
    assert peak < 96 << 20, f"{peak / (1 << 20):.0f} MiB"


def test_refusals_say_what_the_file_is(station, case, tmp_path):
    ct = Path(get_testdata_file("CT_small.dcm")).read_bytes()
    cut = {}
    for at in (200, 333, 900, 3000):  # inside the header, before the UIDs, and before the pixels
        cut[at] = tmp_path / f"cut-{at}.dcm"
        cut[at].write_bytes(ct[:at])
    report = station.imports.import_paths(case.id, [*cut.values(), Path(get_testdata_file("waveform_ecg.dcm")),
                                                    Path(get_testdata_file("rtplan.dcm"))])
    found = verdicts(report)
    assert {found[p.name] for p in cut.values()} == {("refused", "dicom.truncated")}, found
    assert found["waveform_ecg.dcm"] == ("refused", "dicom.waveform")  # an ECG is not "a report or plan"
    assert found["rtplan.dcm"] == ("refused", "dicom.no_pixels")

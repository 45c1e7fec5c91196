"""DICOM files with the patient's identity planted where the Basic Profile says it must not survive:
private tags (and a private sequence), the file meta, the preamble, free text, a nested sequence's text,
OB bytes, and the original UIDs in a private element."""

from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian, generate_uid

NAME = "Nguyễn Văn Được"
DICOM_NAME = "NGUYEN^VAN DUOC"
PATIENT_ID = "BN-2024-0042"
CCCD = "001068012345"  # căn cước công dân: 12 digits
BHYT = "DN4010123456789"  # thẻ bảo hiểm y tế
PHONE = "0912345678"
BIRTH = "19680312"
BIRTH_TYPED = "12/03/1968"


def _even(data: bytes) -> bytes:
    return data + b"\0" * (len(data) % 2)


def planted_dataset(study_uid: str | None = None, series_uid: str | None = None) -> Dataset:
    ds = Dataset()
    ds.preamble = NAME.encode("utf-8").ljust(128, b"\0")
    meta = ds.file_meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = CTImageStorage
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = "1.2.826.0.1.3680043.9.7433.1"
    meta.ImplementationVersionName = "PACS_BV_TINH"
    meta.SourceApplicationEntityTitle = "NGUYEN VAN DUOC"
    meta.SendingApplicationEntityTitle = CCCD
    meta.ReceivingApplicationEntityTitle = "BV_TINH"
    meta.PrivateInformationCreatorUID = "1.2.826.0.1.3680043.9.7433.2"
    meta.PrivateInformation = _even(f"{NAME} {CCCD} {BIRTH}".encode())

    ds.SpecificCharacterSet = "ISO_IR 192"
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = series_uid or generate_uid()
    ds.FrameOfReferenceUID = generate_uid()
    ds.PatientName = DICOM_NAME
    ds.OtherPatientNames = NAME
    ds.PatientBirthName = NAME
    ds.PatientID = PATIENT_ID
    ds.OtherPatientIDs = [CCCD, BHYT]
    other = Dataset()
    other.PatientID, other.TypeOfPatientID = CCCD, "TEXT"
    ds.OtherPatientIDsSequence = Sequence([other])
    ds.PatientBirthDate, ds.PatientSex, ds.PatientAge = BIRTH, "M", "058Y"
    ds.PatientTelephoneNumbers = PHONE
    ds.StudyDate, ds.StudyTime, ds.SeriesDate, ds.ContentDate = "20261120", "141500", "20261120", "20261120"
    ds.StudyID, ds.AccessionNumber, ds.ReferringPhysicianName = "42", "A2024-0042", "TRAN^BAC SI"
    ds.InstitutionName = "Bệnh viện Đa khoa tỉnh"
    ds.Modality, ds.Manufacturer, ds.BurnedInAnnotation = "CT", "ACME Medical", "NO"
    ds.SeriesNumber, ds.InstanceNumber = 2, 1
    # Free text where names and numbers are typed.
    ds.ImageComments = f"BN {NAME}, CCCD {CCCD}"
    ds.StudyDescription = f"CT ngực - {NAME}"
    ds.SeriesDescription = f"Phổi 5mm {PATIENT_ID}"
    ds.PatientComments = f"SĐT {PHONE}, BHYT {BHYT}"
    ds.AdditionalPatientHistory = f"Sinh ngày {BIRTH_TYPED}, tiền sử hút thuốc"
    ds.ProtocolName = f"NGUC {DICOM_NAME}"
    request = Dataset()  # a nested sequence's free text
    request.ScheduledProcedureStepDescription = f"Chụp cho {NAME}"
    request.RequestedProcedureDescription = f"CT ngực {CCCD}"
    request.RequestedProcedureID = PATIENT_ID
    ds.RequestAttributesSequence = Sequence([request])
    # Private tags: a block, the original UIDs, an OB with the name in UTF-16, a private sequence.
    ds.private_block(0x0009, "ACME 1.1", create=True)
    block = ds.private_block(0x0009, "ACME 1.1")
    block.add_new(0x01, "LO", NAME)
    block.add_new(0x02, "UT", "\\".join([ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPInstanceUID]))
    block.add_new(0x03, "OB", _even(NAME.encode("utf-16-le")))
    inner = Dataset()
    inner.private_block(0x0011, "ACME 1.1", create=True).add_new(0x01, "LO", f"{CCCD} {BIRTH}")
    block.add_new(0x04, "SQ", Sequence([inner]))
    # A standard OB element carrying the name bytes: an overlay plane.
    ds.add_new(0x60000010, "US", 8)
    ds.add_new(0x60000011, "US", 8)
    ds.add_new(0x60000040, "CS", "G")
    ds.add_new(0x60000050, "SS", [1, 1])
    ds.add_new(0x60000100, "US", 1)
    ds.add_new(0x60000102, "US", 0)
    ds.add_new(0x60003000, "OB", _even(DICOM_NAME.encode()))
    ds.Rows = ds.Columns = 8
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    ds.PixelData = np.arange(64, dtype=np.uint16).reshape(8, 8).tobytes()
    return ds


def planted_file(path: Path, **kwargs) -> Path:
    planted_dataset(**kwargs).save_as(path, enforce_file_format=True)
    return path


def leaks(data: bytes, uids: list[str]) -> list[str]:
    """What of the planted identity is still in a file's bytes: a check independent of the station's scan."""
    folded = data.lower()
    wanted = {"name (ASCII)": b"nguyen", "name (UTF-8)": "nguyễn".encode(), "name (UTF-8, upper)": "NGUYỄN".encode(),
              "name (UTF-16)": "nguy".encode("utf-16-le"), "name (UTF-16, upper)": "NGUY".encode("utf-16-le"),
              "patient id": b"2024-0042", "cccd": CCCD.encode(), "bhyt": BHYT.lower().encode(),
              "phone": PHONE.encode(), "birth": BIRTH.encode(), "birth typed": BIRTH_TYPED.encode()}
    wanted.update({f"uid {uid}": uid.encode() for uid in uids})
    return [what for what, needle in wanted.items() if needle in folded or needle in data]

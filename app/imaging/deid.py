"""De-identification of DICOM for experts outside Vietnam: the PS3.15 Basic
Application Level Confidentiality Profile, through dicognito.

One Anonymizer per case, seeded by the case: a study's images keep one new Study
UID, series keep theirs, and exporting the same case again gives the same UIDs.
"""

from dataclasses import dataclass

from pydicom.dataset import Dataset

PROFILE_CODE = ("113100", "DCM", "Basic Application Confidentiality Profile")
# Modalities whose pixels often carry the patient's name (screen captures, ultrasound).
BURN_IN_PRONE = {"US", "SC", "XC", "OT", "ES"}


@dataclass(frozen=True)
class DeidResult:
    dataset: Dataset
    burned_in: bool  # the pixels may still show the patient's identity: someone must look


def make_anonymizer(case_id: str):
    from dicognito.anonymizer import Anonymizer

    return Anonymizer(seed=case_id)


def method_text() -> str:
    from importlib.metadata import version

    # (0012,0063) is LO: 64 characters at most; the code sequence carries the profile's full name.
    return f"DICOM PS3.15 E.1 Basic Profile, dicognito {version('dicognito')}"[:64]


def deidentify(ds: Dataset, anonymizer) -> DeidResult:
    burned_in = str(ds.get("BurnedInAnnotation", "")).upper() == "YES" or \
        (str(ds.get("Modality", "")) in BURN_IN_PRONE and str(ds.get("BurnedInAnnotation", "")).upper() != "NO")
    anonymizer.anonymize(ds)
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = method_text()
    code = Dataset()
    code.CodeValue, code.CodingSchemeDesignator, code.CodeMeaning = PROFILE_CODE
    ds.DeidentificationMethodCodeSequence = [code]
    if "file_meta" in ds.__dict__ or getattr(ds, "file_meta", None) is not None:
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return DeidResult(ds, burned_in)

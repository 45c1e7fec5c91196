"""A case as a doctor would send it: complete, with a photo, a voice note and a small CT."""

import os
from dataclasses import replace
from pathlib import Path

from app.domain.attachment import AttachmentKind
from app.domain.lifecycle import Urgency
from app.domain.vitals import Vitals
from tests.support.dicom_series import ct_series


def submitted_case(station, folder: Path, name: str = "Hoàng Thị Lan", slices: int = 4, audio_bytes: int = 40_000,
                   specialty: str = "cardiology", hospital: str = "bachmai", foreign: bool = False,
                   key_images: int = 0, size: int = 64):
    cases = station.cases
    case = cases.create_case()
    case = cases.save_draft(replace(
        case, patient=replace(case.patient, full_name=name, birth="12/03/1961", sex="female",
                              cccd="001161012345", bhyt="DN4010123456789", phone="0912345678"),
        urgency=Urgency.URGENT, reason="Đau ngực, khó thở", question="Có chỉ định can thiệp mạch vành?",
        history="Tăng huyết áp 10 năm", examination="Tim nhịp đều", specialty=specialty, hospital=hospital,
        diagnosis_code="I20.0", diagnosis_text="Đau thắt ngực không ổn định", foreign_expert=foreign,
        vitals=Vitals(pulse="96", blood_pressure="150/90", spo2="94", temperature="37.2", resp_rate="22",
                      weight="58")))
    station.attachments.add_bytes(case.id, b"\xff\xd8\xff\xe0" + os.urandom(30_000), "anh-ecg.jpg",
                                  AttachmentKind.PHOTO)
    station.attachments.add_bytes(case.id, b"fLaC" + os.urandom(audio_bytes), "ghi-am-tim.flac",
                                  AttachmentKind.AUDIO)
    if slices:
        station.imports.import_paths(case.id, ct_series(folder / f"ct-{case.id[:8]}", slices=slices, size=size))
        images = sorted((a for a in station.attachments.list(case.id) if a.kind == AttachmentKind.IMAGING),
                        key=lambda a: a.original_name)
        for attachment in images[:key_images]:
            station.imaging.set_key_image(case.id, attachment.id, 0, True)
    cases.mark_ready(case.id)
    return cases.submit(case.id)

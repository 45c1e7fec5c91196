"""A few realistic demo cases (fictitious patients) for screenshots and trying the station."""

from app.domain.case import ConsultationCase, Patient
from app.domain.lifecycle import Status, Urgency
from app.domain.vitals import Vitals
from app.services.cases import CaseService

DEMO_CASES = [
    ConsultationCase(
        patient=Patient(full_name="Nguyễn Văn Được", birth="12/03/1968", sex="male", cccd="037068001234",
                        bhyt="DN4370123456789", phone="0912345678", province_code="1", address_line="Thôn Đông"),
        urgency=Urgency.URGENT, specialty="respiratory", hospital="bachmai",
        reason="Khó thở tăng dần 2 tuần, sốt về chiều", question="Xin ý kiến chẩn đoán và hướng điều trị tiếp",
        history="Hút thuốc lá 30 bao-năm. Tăng huyết áp 5 năm.", examination="Ran nổ đáy phổi phải.",
        vitals=Vitals(pulse="112", blood_pressure="140/90", resp_rate="26", spo2="91", temperature="38,5",
                      weight="58"),
        treatment="Ceftriaxone 2 g/ngày, ngày thứ 4", diagnosis_code="J18.9", diagnosis_text="Viêm phổi phải"),
    ConsultationCase(
        patient=Patient(full_name="Trần Thị Hồng Nhung", birth="1990", sex="female", cccd="040190004567",
                        phone="0987654321"),
        urgency=Urgency.EMERGENCY, specialty="obstetrics", hospital="phusantw",
        reason="Thai 34 tuần, huyết áp cao, đau đầu", question="Có nên chuyển tuyến hay chấm dứt thai kỳ tại chỗ?",
        vitals=Vitals(pulse="96", blood_pressure="170/110"), diagnosis_code="O14"),
    ConsultationCase(
        patient=Patient(full_name="Lò Văn Sính", age="54", sex="male"),
        urgency=Urgency.ROUTINE, specialty="oncology", hospital="k",
        reason="Khối u vùng cổ 3 tháng", question="Xin đọc phim CT và tư vấn sinh thiết",
        diagnosis_code="C73"),
    ConsultationCase(
        patient=Patient(full_name="Phạm Minh Khôi", birth="05/2019", sex="male", bhyt="TE1010123456789"),
        urgency=Urgency.URGENT, specialty="paediatrics", hospital="nhitw",
        reason="Sốt cao co giật lần 2", question="Hướng xử trí và có cần chụp MRI không?",
        vitals=Vitals(pulse="150", temperature="39,6", weight="16"), diagnosis_code="R56"),
]


def add_demo_cases(cases: CaseService) -> list[ConsultationCase]:
    created = [cases.create_case(c) for c in DEMO_CASES]
    cases.mark_ready(created[2].id)
    cases.submit(created[2].id)
    cases.record_status(created[2].id, Status.SYNCED)
    cases.mark_ready(created[3].id)
    return created


def make_demo_video(path, seconds: int = 4, width: int = 960, height: int = 540) -> None:
    """A short moving picture to stand in for the station camera in screenshots and demos."""
    import av
    import cv2
    import numpy as np

    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=30)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.options = {"preset": "ultrafast"}
        yy, xx = np.mgrid[0:height, 0:width]
        for i in range(seconds * 30):
            image = np.zeros((height, width, 3), np.uint8)
            image[..., 0] = (xx // 4 + i * 2) % 256
            image[..., 1] = (yy // 3) % 256
            image[..., 2] = 90
            cv2.circle(image, (width // 2 + int(150 * np.sin(i / 15)), height // 2), 60, (240, 240, 240), -1)
            cv2.putText(image, "DIEM CAU - camera", (30, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (255, 255, 255), 3)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)

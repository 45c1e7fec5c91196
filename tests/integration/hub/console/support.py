"""What the console's view tests share: a case a real station submits, people who sign in, a browser-ish client.

Cases go through the station's own FHIR mapping (app/wire/mapping.py) and its enrolled HubClient;
people are created with the console's accounts module and sign in through the login page.
"""

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import httpx

from app.domain.case import ConsultationCase, Patient
from app.domain.lifecycle import Urgency
from app.domain.vitals import Vitals
from app.wire import mapping

PASSWORD = "mật-khẩu-đủ-dài-2026"
NAME = "Nguyễn Thị Hồng Nhung"
CCCD = "001190012345"
BHYT = "DN4010123456789"
PHONE = "0912345678"
ADDRESS = "Số 12 ngõ 34 phố Lạc Trung"

_CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
_CSRF_HEADER = re.compile(r'X-CSRF-Token&#34;: &#34;([^&]+)&#34;|"X-CSRF-Token": "([^"]+)"|X-CSRF-Token&quot;: &quot;([^&]+)&quot;')


def make_case(*, hospital="bachmai", specialty="cardiology", urgency=Urgency.ROUTINE, name=NAME,
              question="Xin ý kiến hướng điều trị tiếp.", created: datetime | None = None, number=1,
              abroad=False) -> ConsultationCase:
    patient = Patient(full_name=name, birth="12/03/1972", sex="female", cccd=CCCD, bhyt=BHYT, phone=PHONE,
                      address_line=ADDRESS)
    return ConsultationCase(
        patient=patient, urgency=urgency, specialty=specialty, hospital=hospital, number=number,
        reason="Đau ngực kéo dài", question=question, history="Tăng huyết áp 10 năm.",
        examination="Tim đều, phổi không ran.", treatment="Aspirin 81 mg.",
        vitals=Vitals(pulse="96", blood_pressure="150/90", spo2="95", temperature="37,2"),
        diagnosis_code="I20.0", diagnosis_text="Cơn đau thắt ngực không ổn định",
        foreign_expert=abroad, created_at=created or datetime.now(timezone.utc))


def submit(station, case: ConsultationCase, facility: str) -> ConsultationCase:
    """What the station's sync sends for a submitted case: the record, then its Task."""
    station.transaction(mapping.case_resources(case, facility))
    station.put(mapping.task_resource(case, facility), create_only=True)
    return case


def aged(case: ConsultationCase, hours: float) -> ConsultationCase:
    return replace(case, created_at=datetime.now(timezone.utc) - timedelta(hours=hours))


class Browser:
    """An HTTP client with the console's session cookie that sends the CSRF token the last page carried."""

    def __init__(self, hub):
        self.hub = hub
        self.http = httpx.Client(base_url=hub.url, timeout=30, follow_redirects=False)
        self.csrf = ""

    def close(self):
        self.http.close()

    def _remember(self, response):
        for match in (_CSRF_FIELD.search(response.text), _CSRF_HEADER.search(response.text)):
            if match:
                self.csrf = next(g for g in match.groups() if g)
                break
        return response

    def get(self, path, **kwargs):
        return self._remember(self.http.get(path, **kwargs))

    def post(self, path, data=None, *, csrf=True, follow=False, **kwargs):
        data = dict(data or {})
        if csrf and "csrf" not in data:
            data["csrf"] = self.csrf
        response = self.http.post(path, data=data, **kwargs)
        if follow and response.status_code in (302, 303):
            return self.get(response.headers["location"])
        return self._remember(response)

    def login(self, login, password=PASSWORD):
        self.get("/console/login")
        response = self.post("/console/login", {"login": login, "password": password})
        assert response.status_code in (302, 303), response.text[:2000]
        self.get("/console/inbox")
        return self


def attach(station, case: ConsultationCase, data: bytes, media_type: str, name: str, kind: str) -> str:
    """Upload `data` as the station's sync does (tus), then its DocumentReference; the document's id."""
    import hashlib
    import uuid

    from app.domain.attachment import Attachment, AttachmentKind

    attachment = Attachment(id=str(uuid.uuid4()), case_id=case.id, sha256=hashlib.sha256(data).hexdigest(),
                            size=len(data), media_type=media_type, original_name=name, kind=AttachmentKind(kind),
                            created_at=datetime.now(timezone.utc))
    url = station.create_upload(len(data), attachment.sha256, {"filename": name, "documentreference": attachment.id,
                                                               "contenttype": media_type})
    station.upload_chunk(url, 0, data)
    import base64

    sha1 = base64.b64encode(hashlib.sha1(data).digest()).decode()
    station.put(mapping.document_reference(case, attachment, url, sha1))
    return attachment.id


def station_messages(station, case_id: str) -> list[dict]:
    return list(station.search("Communication", {"based-on": f"ServiceRequest/{case_id}"}))


PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082")
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
      b"trailer<</Root 1 0 R>>\n%%EOF\n"
WAV = b"RIFF$\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00@\x1f\x00\x00@\x1f\x00\x00\x01\x00\x08\x00" \
      b"data\x00\x00\x00\x00"

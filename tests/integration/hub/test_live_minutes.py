"""The minutes of a case discussed live: a real hub with its own Janus records who joined from which site (Janus's
own events), the consents and the recording; the conclusion is signed and the minutes PDF, read back, names the
form, the time, each site's participants with their time in the room and the recording statement. A session after
the signing leaves the signed minutes as they are and shows in the amendment's. SQLite and PostgreSQL."""

import asyncio
import hashlib
import unicodedata

import httpx
import pytest

from app.wire import consultation as wire
from server import consultation
from server.uploads import FileStore

from .live.conftest import Api, Participant, wait_for
from .test_consultation import EXPERT, ISSUES, PATIENT, pdf_text, submit

STATION, GUEST = "TTYT huyện Mèo Vạc", "Bệnh viện Cần Thơ"


@pytest.fixture
def live_hub(hub_with_sfu):
    return hub_with_sfu


def flat(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def minutes_of(client, case_id: str) -> dict[str, bytes]:
    """Each signed conclusion's minutes PDF that `client` may read: {composition id: the PDF's bytes}."""
    found = {}
    for document in client.search("DocumentReference", {"based-on": case_id}):
        if wire.is_minutes(document):
            answer = httpx.get(client.base + document["content"][0]["attachment"]["url"],
                               headers={"Authorization": f"Bearer {client.token()}"}, timeout=30)
            assert answer.status_code == 200, answer.text
            found[wire.minutes_composition(document)] = answer.content
    return found


async def join(hub, clients, live_id: str) -> list[Participant]:
    """Each client takes a ticket and joins the room (Janus's events make the attendance), all of them present."""
    people = []
    for client in clients:
        ticket = await asyncio.to_thread(Api(hub, client), "POST", f"/live/{live_id}/join")
        assert ticket.status_code == 200, ticket.text
        people.append(Participant(ticket.json()))
        await people[-1].join()
    await present(hub, clients[0], live_id, len(clients))
    return people


async def present(hub, client, live_id: str, count: int) -> None:
    await asyncio.to_thread(wait_for, lambda: len(Api(hub, client)("GET", f"/live/{live_id}").json()["present"])
                            == count, what=f"{count} present in the session")


async def recorded_session(hub, clients, live_id: str) -> None:
    """Everyone joins; the host asks for the recording, the others agree and it runs; the last one leaves; the host
    ends the session."""
    people = await join(hub, clients, live_id)
    try:
        apis = [Api(hub, c) for c in clients]
        asked = await asyncio.to_thread(apis[0], "POST", f"/live/{live_id}/recording", json={"on": True})
        assert asked.status_code == 200 and asked.json()["recording"]["state"] == "waiting", asked.text
        for api in apis[1:]:
            agreed = await asyncio.to_thread(api, "POST", f"/live/{live_id}/consent", json={"recording": True})
            assert agreed.status_code == 200, agreed.text
        assert agreed.json()["recording"]["state"] == "on"
        await people[-1].leave()
        await present(hub, clients[0], live_id, len(clients) - 1)
    finally:
        for someone in people:
            await someone.close()
    ended = await asyncio.to_thread(apis[0], "POST", f"/live/{live_id}/end")
    assert ended.status_code == 200 and ended.json()["state"] == "ended"


def test_the_minutes_print_the_live_sessions_attendance_and_recording_up_to_the_signing(live_hub, enrolled):
    station = enrolled(live_hub, facility="0100A", name=STATION)
    guest = enrolled(live_hub, facility="0200B", name=GUEST)
    expert = enrolled(live_hub, "expert", hospital="k", specialty="oncology", name="BS Trần Thị Bích")
    abroad = enrolled(live_hub, "expert", hospital="k", specialty="oncology", name="Dr Jean Martin", foreign=True)
    case = submit(station, "0100A", foreign=True)
    started = Api(live_hub, station)("POST", "/live", json={"request": case.id, "invite": {"facilities": ["0200B"]}})
    assert started.status_code == 201, started.text
    first = started.json()["id"]
    asyncio.run(recorded_session(live_hub, [station, expert, abroad, guest], first))
    files = FileStore(live_hub.config.files_dir)
    with live_hub.engine.begin() as conn:
        draft = consultation.save_draft(conn, EXPERT, case.id, ISSUES, "Phẫu thuật bảo tồn", "Tái khám sau 1 tháng")
        consultation.sign(conn, EXPERT, draft["id"], live_hub.config.secret, files=files)

    signed = minutes_of(station, case.id)
    assert set(signed) == {draft["id"]}
    text = flat(pdf_text(signed[draft["id"]]))
    for expected in ("Hình thức: Hội chẩn trực tuyến",
                     f"Các điểm cầu: {STATION}; Bệnh viện K; {GUEST}",
                     "Ghi hình: Có ghi hình, với sự đồng ý của tất cả các điểm cầu có mặt (đã đồng ý: ",
                     "Tham dự trực tuyến theo điểm cầu STT Điểm cầu Người tham dự Vào – ra Thời lượng",
                     f"1 {STATION} Máy trạm của điểm cầu", "2 Bệnh viện K BS Trần Thị Bích",
                     "3 Bệnh viện K Dr Jean Martin", f"4 {GUEST} Máy trạm của điểm cầu",
                     "III. THÔNG TIN NGƯỜI BỆNH", PATIENT["full_name"]):
        assert expected in text, (expected, text[:2500])
    assert "giây" in text or "phút" in text  # each one's time in the room
    assert text.index("II. THÀNH PHẦN THAM DỰ") < text.index("Tham dự trực tuyến") < text.index("III. THÔNG TIN")

    # The copy for the expert abroad: the same live part, bilingual, and still nothing that names the patient.
    pseudonymous = minutes_of(abroad, case.id)
    assert set(pseudonymous) == {draft["id"]}
    copy = flat(pdf_text(pseudonymous[draft["id"]]))
    for expected in ("Hội chẩn trực tuyến / Téléconsultation en direct", "Enregistrée avec l'accord de tous les sites",
                     "Dr Jean Martin", "BS Trần Thị Bích", f"{GUEST} Máy trạm của điểm cầu / Poste du site"):
        assert expected in copy, (expected, copy[:2500])
    for identity in (PATIENT["full_name"], PATIENT["cccd"], PATIENT["bhyt"], PATIENT["address_line"]):
        assert identity not in copy

    # A session after the signing leaves the signed minutes as they are. The amendment, signed while that session
    # goes on (the district station still in the room), has it up to its signing; what follows is in no minutes.
    again = Api(live_hub, station)("POST", "/live", json={"request": case.id})
    assert again.status_code == 201 and again.json()["id"] != first
    second = again.json()["id"]

    def amend_and_sign() -> str:
        with live_hub.engine.begin() as conn:
            amended = consultation.amend(conn, EXPERT, draft["id"], treatment="Phẫu thuật cắt toàn bộ vú trái")
            consultation.sign(conn, EXPERT, amended["id"], live_hub.config.secret, files=files)
        return amended["id"]

    async def second_session() -> str:
        people = await join(live_hub, [station, expert], second)
        try:
            await people[1].leave()
            await present(live_hub, station, second, 1)
            return await asyncio.to_thread(amend_and_sign)
        finally:
            for someone in people:
                await someone.close()
    amended = asyncio.run(second_session())
    assert Api(live_hub, station)("POST", f"/live/{second}/end").json()["state"] == "ended"
    with live_hub.engine.begin() as conn:
        for made in (draft["id"], amended):  # made already: never again
            assert consultation.make_minutes_of(conn, EXPERT, made, files) == 0
    now = minutes_of(station, case.id)
    assert set(now) == {draft["id"], amended}
    assert hashlib.sha256(now[draft["id"]]).digest() == hashlib.sha256(signed[draft["id"]]).digest()
    text = flat(pdf_text(now[amended]))
    for expected in ("thay thế phiên bản 1", "đang diễn ra lúc ký kết luận", "Ghi hình: Phiên 1: Có ghi hình",
                     "Phiên 2: Không ghi hình", "Tham dự trực tuyến theo điểm cầu — Phiên 1:",
                     "Tham dự trực tuyến theo điểm cầu — Phiên 2:", f"1 {STATION} Máy trạm của điểm cầu",
                     "2 Bệnh viện K BS Trần Thị Bích"):
        assert expected in text, (expected, text[:3000])
    session_two = text[text.index("— Phiên 2:"):text.index("III. THÔNG TIN")]
    assert "(lúc ký)" in session_two and session_two.count("(lúc ký)") == 1  # the station was still in, the expert had left

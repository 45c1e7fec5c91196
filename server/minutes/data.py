"""What the minutes of one consultation say (Biên bản hội chẩn từ xa, TT 49/2017 Appendix I as far as known).

The services map their records to `MinutesData`; the renderer only lays it out. Free text is printed as
given (wrapped, never cut); what must not appear for experts abroad has to be left out here: with
`pseudonymous=True` there is no `patient` at all, so no identity field can be printed by mistake.
Times: aware datetimes are printed in Vietnam's time (UTC+7), naive ones as they are.

From the wire (app.wire.consultation): `issues`, `treatment`, `follow_up` are the signed Conclusion's;
`signatures` its legal attester (name, title, time) with the SHA-256 its Provenance signature holds;
`amendment` names the version the Conclusion `replaces` and when that one was signed; `version` is its own.
`live`: the case's live sessions (attendance, recording), from server/live, as they stood at the signing.
With `pseudonymous`, the free text given (history, examination...) must already be the de-identified one.
"""

from dataclasses import dataclass
from datetime import date, datetime

from app.wire.consultation import Issue

TELECONSULTATION = "Hội chẩn từ xa"
LIVE = "Hội chẩn trực tuyến"   # the mode when the case was discussed in a live session (video, all sites at once)


@dataclass(frozen=True)
class Facility:
    name: str            # "Bệnh viện Bạch Mai"
    code: str = ""       # mã cơ sở KCB (5 characters)
    parent: str = ""     # the agency above it, printed over the name in the header: "Bộ Y tế", "Sở Y tế Hà Giang"


@dataclass(frozen=True)
class Person:
    name: str            # "Nguyễn Văn An"
    title: str = ""      # academic title, degree, post: "PGS.TS.BS, Trưởng khoa Ung bướu"
    specialty: str = ""  # "Ung bướu"
    site: str = ""       # where they join from (a connection point or hospital)


@dataclass(frozen=True)
class Patient:
    """The patient's identity: in the hospital's own record only (HOI-CHAN.md (e))."""
    full_name: str
    sex: str                       # as it is to be printed: "Nữ", "Nam"
    birth_date: date | None = None
    age: str = ""                  # when the birth date is unknown: "45 tuổi"
    address: str = ""
    cccd: str = ""                 # citizen ID, 12 digits
    bhyt: str = ""                 # health insurance card, 15 characters
    record_number: str = ""        # the requesting facility's case number, if any


@dataclass(frozen=True)
class Pseudonym:
    """What experts abroad may see of the patient (HOI-CHAN.md (e)): a case code, an age band, the sex."""
    code: str            # "HC-2026-0142"
    age_band: str        # "40-49 tuổi"
    sex: str


@dataclass(frozen=True)
class Signature:
    role: str                      # CHAIR or SECRETARY
    name: str
    title: str
    signed_at: datetime
    content_sha256: str            # hex SHA-256 of the signed content (the Provenance's signature)


CHAIR, SECRETARY = "chair", "secretary"


@dataclass(frozen=True)
class Amendment:
    """This minutes replaces an earlier signed version (which stays on record)."""
    replaces_version: int
    replaced_signed_at: datetime
    reason: str = ""


@dataclass(frozen=True)
class Presence:
    """One participant of a live session, as the hub's attendance has them (Janus's own join/leave events)."""
    site: str                      # the connection point they joined from: "Trung tâm Y tế huyện Quản Bạ"
    name: str = ""                 # "PGS.TS Trần Quốc Đạt"; "" for a site's station (the site is the participant)
    stretches: tuple[tuple[datetime, datetime | None], ...] = ()  # (joined, left); left None: still in the
    #                                                                 room when the record was taken (`as_of`)


@dataclass(frozen=True)
class LiveSession:
    """A live session on the case (hội chẩn trực tuyến), recorded up to `as_of` (the signing of the conclusion:
    what happened later belongs to a later version's minutes, the signed ones never change)."""
    started: datetime
    ended: datetime | None                 # None: still going on at `as_of`
    presence: tuple[Presence, ...]         # in order of first joining
    recorded: bool = False                 # recorded (only ever with the consent of every site present)
    consents: tuple[str, ...] = ()         # who agreed to the recording, as the session named them
    as_of: datetime | None = None

    def seconds(self, presence: Presence) -> int | None:
        """Time in the room, overlaps counted once (the same account in two browser tabs); a stretch still open
        counts up to `as_of` (None without one)."""
        spans = [(joined, left or self.as_of) for joined, left in presence.stretches]
        if any(end is None for _, end in spans):
            return None
        total, reached = 0.0, None
        for start, end in sorted(spans):
            start = max(start, reached) if reached is not None else start
            if end > start:
                total += (end - start).total_seconds()
            reached = end if reached is None else max(reached, end)
        return int(total)


@dataclass(frozen=True)
class MinutesData:
    organiser: Facility                  # the central hospital that holds the consultation
    requester: Facility                  # the facility that asked for it
    number: str                          # minutes number, "15/BB-HCTX"
    started: datetime
    chair: Person
    secretary: Person
    issues: tuple[Issue, ...]            # conclusion per issue, in order
    treatment: str                       # hướng điều trị, chăm sóc, chuyển tuyến
    follow_up: str                       # theo dõi, dặn dò
    ended: datetime | None = None
    place: str = ""                      # town of the organiser, for the dated line: "Hà Nội"
    mode: str = TELECONSULTATION
    connection_points: tuple[str, ...] = ()   # each site that joined
    participants: tuple[Person, ...] = ()     # members besides chair and secretary
    pseudonymous: bool = False
    patient: Patient | None = None            # required unless pseudonymous, forbidden when it is
    pseudonym: Pseudonym | None = None        # required when pseudonymous
    history: str = ""                    # tóm tắt bệnh sử, tiền sử
    examination: str = ""                # kết quả thăm khám, cận lâm sàng
    diagnosis: str = ""
    treatment_so_far: str = ""           # xử trí đã làm
    question: str = ""                   # vấn đề đề nghị hội chẩn
    discussion: str = ""                 # ý kiến thảo luận (optional)
    signatures: tuple[Signature, ...] = ()
    amendment: Amendment | None = None
    version: int = 1                     # of the signed conclusion these minutes record
    live: tuple[LiveSession, ...] = ()   # the case's live sessions up to the signing, oldest first

    def __post_init__(self):
        if self.pseudonymous:
            if self.patient is not None or self.pseudonym is None:
                raise ValueError("pseudonymous minutes take a pseudonym and no patient identity")
        elif self.patient is None:
            raise ValueError("minutes need the patient's identity (or pseudonymous=True and a pseudonym)")
        for signature in self.signatures:
            if signature.role not in (CHAIR, SECRETARY):
                raise ValueError(f"unknown signing role {signature.role!r}")

    def signature(self, role: str) -> Signature | None:
        return next((s for s in self.signatures if s.role == role), None)

"""render_minutes: the sections of the Biên bản hội chẩn, in the order the form has them."""

from .data import LIVE, TELECONSULTATION, LiveSession, MinutesData
from .pdf import MinutesPDF, when


def render_minutes(data: MinutesData, language: str = "vi") -> bytes:
    """An A4 PDF of the minutes. `language` 'en' or 'fr' adds the translation to every label."""
    final = MinutesPDF(data, language)
    try:
        return bytes(_lay_out(final).output())
    finally:
        final.close_fonts()


def _lay_out(pdf: MinutesPDF) -> MinutesPDF:
    data = pdf.data
    label = pdf.label
    pdf.add_page()
    pdf.heading()

    pdf.section("general")
    pdf.field(label("organiser"), _facility(data.organiser, label))
    pdf.field(label("requester"), _facility(data.requester, label))
    span = f"{label('from')} {when(data.started)}"
    if data.ended:
        span += f"; {label('to')} {when(data.ended)}"
    elif data.live and data.live[-1].ended is None and data.live[-1].as_of is not None:
        span += f"; {label('ongoing')} ({when(data.live[-1].as_of)})"
    pdf.field(label("time"), span)
    pdf.field(label("mode"), label(_MODES[data.mode]) if data.mode in _MODES else data.mode)
    if data.connection_points:
        pdf.field(label("points"), "; ".join(data.connection_points))
    if len(data.live) == 1:
        pdf.field(label("recording"), _recording(data.live[0], label))
    elif data.live:
        pdf.field(f"{label('recording')}:", "\n".join(f"{label('session')} {n}: {_recording(s, label)}"
                                                 for n, s in enumerate(data.live, 1)), block=True)

    pdf.section("attendance")
    pdf.people()
    for n, session in enumerate(data.live, 1):
        title = label("online")
        if len(data.live) > 1:
            end = when(session.ended) if session.ended else label("ongoing")
            title += f" — {label('session')} {n}: {when(session.started)} – {end}"
        pdf.online(session, title)

    pdf.section("patient")
    if data.pseudonymous:
        # Only what HOI-CHAN.md (e) lets leave the treating team: no identity field exists here.
        pdf.field(label("pseudonym"), data.pseudonym.code)
        pdf.field(label("age_band"), data.pseudonym.age_band)
        pdf.field(label("sex"), data.pseudonym.sex)
        pdf.set_font("noto", "I", 9.5)
        pdf.multi_cell(pdf.epw, 4.5, label("deidentified"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    else:
        patient = data.patient
        pdf.field(label("name"), patient.full_name)
        if patient.birth_date:
            pdf.field(label("birth"), f"{patient.birth_date:%d/%m/%Y}")
        if patient.age:
            pdf.field(label("age"), patient.age)
        pdf.field(label("sex"), patient.sex)
        pdf.field(label("address"), patient.address)
        pdf.field(label("cccd"), patient.cccd)
        pdf.field(label("bhyt"), patient.bhyt)
        if patient.record_number:
            pdf.field(label("record"), patient.record_number)

    pdf.section("summary")
    for n, key in enumerate(("history", "examination", "diagnosis", "treated", "question"), 1):
        pdf.field(f"{n}. {label(key)}:", getattr(data, _FIELD[key]), block=True)

    if data.discussion.strip():
        pdf.section("discussion")
        pdf.paragraph(data.discussion)

    pdf.section("conclusion")
    if not data.issues:
        pdf.paragraph("")
    for n, issue in enumerate(data.issues, 1):
        title = f"{label('issue')} {n}" + (f": {issue.title}" if issue.title.strip() else "")
        pdf.field(title, issue.conclusion, block=True)

    pdf.section("treatment")
    pdf.paragraph(data.treatment)
    pdf.section("follow_up")
    pdf.paragraph(data.follow_up)

    pdf.signatures()
    return pdf


_MODES = {TELECONSULTATION: "mode_remote", LIVE: "mode_live"}


def _recording(session: LiveSession, label) -> str:
    """Recorded (only ever with every present site's consent: server/live/recording.py) and who agreed, or not."""
    if not session.recorded:
        return label("not_recorded")
    agreed = f" ({label('agreed')}: {'; '.join(session.consents)})" if session.consents else ""
    return label("recorded") + agreed


_FIELD = {"history": "history", "examination": "examination", "diagnosis": "diagnosis",
          "treated": "treatment_so_far", "question": "question"}


def _facility(facility, label) -> str:
    return f"{facility.name} ({label('code')}: {facility.code})" if facility.code else facility.name

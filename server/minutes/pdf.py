"""The minutes as an A4 PDF laid out like a Vietnamese hospital form (fpdf2, Noto Sans embedded)."""

from datetime import datetime, timedelta, timezone

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.fonts import FontFace

from .data import CHAIR, SECRETARY, LiveSession, MinutesData, Person, Signature
from .labels import duration, labeller
from .text import FONTS, printable

VIETNAM = timezone(timedelta(hours=7))
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")
FONT = "noto"
LINE = 5.2        # mm per line of body text (11 pt)
HEADINGS = FontFace(family=FONT, emphasis="BOLD", fill_color=(235, 235, 235))


def local(moment: datetime) -> datetime:
    return moment.astimezone(VIETNAM) if moment.tzinfo else moment


def when(moment: datetime) -> str:
    moment = local(moment)
    return f"{moment:%H:%M} {moment:%d/%m/%Y}"


PAGE_COUNT = "\ue000nb\ue000"


class MinutesPDF(FPDF):
    def __init__(self, data: MinutesData, language: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.data, self.label, self.language = data, labeller(language), language
        # The page count, filled in at output. Not fpdf2's "{nb}": that would also replace the text if a
        # user typed it; printable() turns any private-use character of user text into "[U+E000]".
        self.alias_nb_pages(PAGE_COUNT)
        self.section_no = 0
        for family, (regular, bold, italic) in FONTS.items():
            self.add_font(family, "", str(regular))
            self.add_font(family, "B", str(bold))
            self.add_font(family, "I", str(italic))
        self.set_fallback_fonts(["dejavu"], exact_match=False)
        # Vietnamese administrative documents: wide binding margin on the left.
        self.set_margins(left=25, top=15, right=15)
        self.set_auto_page_break(True, margin=18)
        self.set_title(printable(f"{self.label('title')} {data.number}"))
        self.set_creator("Điểm Cầu")
        self.set_lang("vi")
        # The same data gives the same bytes (no wall-clock time in the file).
        self.set_creation_date(data.signatures[0].signed_at if data.signatures else data.started)

    def close_fonts(self):
        # fpdf2 keeps every font file open until output() and then closes only the fonts it used.
        for font in self.fonts.values():
            if hasattr(font, "close"):
                font.close()

    # -- the page furniture ---------------------------------------------------------------------

    def footer(self):
        self.set_y(-12)
        self.set_font(FONT, "", 8)
        self.set_text_color(90)
        number = f"{self.label('number')} {self.data.number} · {self.label('version')} {self.data.version}"
        self.cell(self.epw / 2, 5, printable(number), align=Align.L)
        self.cell(self.epw / 2, 5, f"{self.label('page')} {self.page_no()}/{PAGE_COUNT}", align=Align.R)
        self.set_text_color(0)

    def heading(self):
        data, top = self.data, self.get_y()
        left_w, right_w = 70, self.epw - 72
        self.set_font(FONT, "", 10.5)
        if data.organiser.parent:
            self.multi_cell(left_w, 5, printable(data.organiser.parent.upper()), align=Align.C,
                            new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_font(FONT, "B", 10.5)
        self.multi_cell(left_w, 5, printable(data.organiser.name.upper()), align=Align.C,
                        new_x=XPos.LEFT, new_y=YPos.NEXT)
        self._rule(self.l_margin + left_w / 2, 20)
        self.set_font(FONT, "", 10.5)
        self.multi_cell(left_w, 5, printable(f"{self.label('number')}: {data.number}"), align=Align.C,
                        new_x=XPos.LEFT, new_y=YPos.NEXT)
        left_bottom = self.get_y()
        x = self.l_margin + self.epw - right_w
        self.set_xy(x, top)
        self.set_font(FONT, "B", 10.5)
        self.cell(right_w, 5, "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM", align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.cell(right_w, 5, "Độc lập - Tự do - Hạnh phúc", align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self._rule(x + right_w / 2, 52)
        self.set_font(FONT, "I", 10.5)
        day = local(data.started)
        dated = f"ngày {day:%d} tháng {day:%m} năm {day:%Y}"
        self.cell(right_w, 5, printable(f"{data.place}, {dated}" if data.place else dated.capitalize()),
                  align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_xy(self.l_margin, max(left_bottom, self.get_y()) + 6)
        self.set_font(FONT, "B", 14)
        for line in self.label("title").split(" / "):
            self.cell(self.epw, 7, line, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if data.amendment:
            note = self.label("amends", v=data.amendment.replaces_version, at=when(data.amendment.replaced_signed_at))
            if data.amendment.reason:
                note += f". {self.label('reason')}: {data.amendment.reason}"
            self.set_font(FONT, "I", 10)
            self.multi_cell(self.epw, 5, printable(f"({note})"), align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(3)

    def _rule(self, centre: float, width: float):
        x, y = self.get_x(), self.get_y() + 0.6
        self.set_line_width(0.3)
        self.line(centre - width / 2, y, centre + width / 2, y)
        self.set_xy(x, y + 1.2)

    # -- the body -------------------------------------------------------------------------------

    def section(self, key: str):
        if self.get_y() > self.page_break_trigger - 20:   # a heading never ends a page alone
            self.add_page()
        self.ln(1.5)
        self.set_font(FONT, "B", 11.5)
        self.multi_cell(self.epw, 6, f"{ROMAN[self.section_no]}. {self.label(key).upper()}",
                        align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.section_no += 1

    def field(self, label: str, value: str, *, block: bool = False):
        """"Label: value" flowing as one paragraph; `block` puts long free text under its label."""
        self.set_x(self.l_margin)
        self.set_font(FONT, "B", 11)
        self.write(LINE, printable(label) + ("" if block else ": "))
        if block:
            self.ln(LINE)
        self.paragraph(value)

    def paragraph(self, value: str):
        """Free text from where the cursor is, wrapped at the margins (overlong words broken), never cut."""
        self.set_font(FONT, "", 11)
        self.write(LINE, printable(value) if value.strip() else self.label("none"))
        self.ln(LINE + 0.8)

    def people(self):
        data = self.data
        label = self.label
        rows = [(label("chair"), data.chair), (label("secretary"), data.secretary)]
        rows += [(label("members"), person) for person in data.participants]
        self.set_font(FONT, "", 9.5)
        with self.table(col_widths=(9, 38, 22, 38, 30, 33), width=self.epw, align="LEFT", line_height=4.6,
                        text_align="LEFT", headings_style=HEADINGS, padding=1) as table:
            header = table.row()
            for key in ("no", "name", "role", "post", "specialty", "site"):
                header.cell(label(key))
            for n, (role, person) in enumerate(rows, 1):
                row = table.row()
                for text in (str(n), person.name, role, person.title, person.specialty, person.site):
                    row.cell(printable(text))
        self.ln(2)

    def online(self, session: LiveSession, title: str):
        """Who took part in live `session`, by site (sites in the order they first joined, people likewise within
        one): their name (a station: the site itself), each stretch in the room, the time in all."""
        label = self.label
        self.set_x(self.l_margin)
        self.set_font(FONT, "B", 10.5)
        self.multi_cell(self.epw, 5.5, printable(title), align=Align.L, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        sites = list(dict.fromkeys(p.site for p in session.presence))
        rows = sorted(session.presence, key=lambda p: sites.index(p.site))
        day = local(session.started).date()

        def moment(at: datetime) -> str:
            return f"{local(at):%H:%M}" if local(at).date() == day else when(at)

        def stretch(joined: datetime, left: datetime | None) -> str:
            if left is not None:
                return f"{moment(joined)} – {moment(left)}"
            if session.as_of is not None:
                return f"{moment(joined)} – {moment(session.as_of)} ({label('at_signing')})"
            return f"{moment(joined)} –"
        self.set_font(FONT, "", 9.5)
        with self.table(col_widths=(9, 42, 46, 43, 30), width=self.epw, align="LEFT", line_height=4.6,
                        text_align="LEFT", headings_style=HEADINGS, padding=1) as table:
            header = table.row()
            for key in ("no", "site", "attendee", "in_out", "duration"):
                header.cell(label(key))
            for n, presence in enumerate(rows, 1):
                row = table.row()
                for text in (str(n), presence.site, presence.name or label("station"),
                             "\n".join(stretch(*s) for s in presence.stretches),
                             duration(session.seconds(presence), self.language)):
                    row.cell(printable(text))
        self.ln(2)

    def signatures(self):
        data = self.data
        if self.get_y() > self.page_break_trigger - 48:   # the signature blocks stay together
            self.add_page()
        self.ln(4)
        top, half = self.get_y(), self.epw / 2
        for column, (role, person) in enumerate(((SECRETARY, data.secretary), (CHAIR, data.chair))):
            self.set_xy(self.l_margin + column * half, top)
            self._signature_block(role, person, data.signature(role), half)
        self.set_y(max(self.get_y(), top + 40) + 3)
        hashes = dict.fromkeys(s.content_sha256 for s in data.signatures if s.content_sha256)
        self.set_font(FONT, "", 7)
        self.set_text_color(70)
        for digest in hashes:
            self.multi_cell(self.epw, 3.5, printable(f"{self.label('hash')}: {digest}"), align=Align.L,
                            new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)

    def _signature_block(self, role: str, person: Person, signed: Signature | None, width: float):
        x = self.get_x()

        def line(style, size, text, height=5):
            self.set_x(x)
            self.set_font(FONT, style, size)
            self.multi_cell(width, height, printable(text), align=Align.C, new_x=XPos.LEFT, new_y=YPos.NEXT)

        line("B", 11, self.label(role).upper())
        if signed:
            line("I", 9.5, f"({self.label('signed')} {self.label('at')} {when(signed.signed_at)})", 4.5)
            self.ln(12)
            line("B", 11, signed.name)
            line("", 9.5, signed.title, 4.5)
        else:
            line("I", 9.5, self.label("unsigned"), 4.5)
            self.ln(16)
            line("B", 11, person.name)
            line("", 9.5, person.title, 4.5)


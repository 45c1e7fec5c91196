"""The Vietnamese translation is complete and keeps every placeholder."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from app.cli import CLI_TEXT
from app.domain.check import ADVICE
from app.domain.issues import ENGLISH

TS = Path(__file__).resolve().parents[2] / "resources" / "translations" / "diemcau_vi.ts"


def messages():
    for context in ET.parse(TS).getroot().findall("context"):
        for message in context.findall("message"):
            yield context.findtext("name"), message


def translations_of(message) -> list[str]:
    node = message.find("translation")
    forms = [f.text or "" for f in node.findall("numerusform")]
    return forms or [node.text or ""]


def test_every_message_is_translated():
    missing = [(ctx, m.findtext("source")) for ctx, m in messages()
               if m.find("translation").get("type") == "unfinished" or not any(translations_of(m))]
    assert missing == []


def test_placeholders_survive_translation():
    placeholder = re.compile(r"\{\w+(?::[^}]*)?\}|%\d|%n")
    for ctx, message in messages():
        wanted = sorted(placeholder.findall(message.findtext("source")))
        for text in translations_of(message):
            assert sorted(placeholder.findall(text)) == wanted, (ctx, message.findtext("source"), text)


def test_every_domain_message_is_in_the_catalogue():
    for context, catalogue in (("Validation", ENGLISH), ("Check", ADVICE), ("Cli", CLI_TEXT)):
        sources = {m.findtext("source") for ctx, m in messages() if ctx == context}
        assert set(catalogue.values()) <= sources

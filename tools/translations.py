"""Refresh resources/translations/*.ts from the sources.

pyside6-lupdate collects the tr()/translate() strings of app/ui; the domain's
validation templates (app.domain.issues.ENGLISH) are added under the context
"Validation", since lupdate cannot see strings looked up by key. Existing
translations are kept. Prints what is left untranslated.

    .venv/bin/python tools/translations.py
"""

import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.cli import CLI_TEXT  # noqa: E402
from app.domain.check import ADVICE  # noqa: E402
from app.domain.issues import ENGLISH  # noqa: E402

# Catalogues looked up by key at run time, so lupdate cannot see them.
CATALOGUES = {"Validation": ENGLISH, "Check": ADVICE, "Cli": CLI_TEXT}

LANGUAGES = ("vi",)


def refresh(language: str) -> int:
    ts = ROOT / "resources" / "translations" / f"diemcau_{language}.ts"
    # lupdate drops what it cannot see in the code, so keep these translations aside.
    kept: dict[str, dict] = {name: {} for name in CATALOGUES}
    if ts.exists():
        for context in ET.parse(ts).getroot().findall("context"):
            name = context.findtext("name")
            if name in CATALOGUES:
                kept[name] = {m.findtext("source"): m.find("translation") for m in context.findall("message")}
    sources = sorted(str(p) for p in (ROOT / "app" / "ui").glob("*.py"))
    lupdate = Path(sys.executable).with_name("pyside6-lupdate")
    subprocess.run([str(lupdate), "-silent", "-no-obsolete", "-locations", "none", *sources, "-ts", str(ts)],
                   check=True)
    tree = ET.parse(ts)
    root = tree.getroot()
    root.set("language", {"vi": "vi_VN"}.get(language, language))
    for name, catalogue in CATALOGUES.items():
        context = next((c for c in root.findall("context") if c.findtext("name") == name), None)
        if context is None:
            context = ET.SubElement(root, "context")
            ET.SubElement(context, "name").text = name
        for message in context.findall("message"):
            context.remove(message)
        for template in catalogue.values():
            message = ET.SubElement(context, "message")
            ET.SubElement(message, "source").text = template
            if template in kept[name]:
                message.append(kept[name][template])
            else:
                ET.SubElement(message, "translation", type="unfinished")
    ET.indent(tree)
    tree.write(ts, encoding="utf-8", xml_declaration=True)
    missing = [m.findtext("source") for m in root.iter("message")
               if m.find("translation").get("type") == "unfinished" or not (m.find("translation").text or
                                                                             m.find("translation").findall("numerusform"))]
    for source in missing:
        print(f"{ts.name}: untranslated: {source!r}")
    return len(missing)


if __name__ == "__main__":
    sys.exit(1 if sum(refresh(lang) for lang in LANGUAGES) else 0)

"""Console pages: Jinja2 templates (autoescaped) in the person's language, from Babel gettext catalogues.

The language is the signed-in person's; before signing in, the `diemcau_lang` cookie (the header's
switch), else the browser's Accept-Language, else Vietnamese. Catalogues are
locales/<lang>/LC_MESSAGES/console.po; the .mo files are build products (`make setup` compiles
them); a missing or stale one is compiled in memory at startup, so a checkout works as it is.
"""

import gettext
import io
from functools import lru_cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from . import csrf, names

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
LOCALES = HERE / "locales"
LANGUAGES = ("vi", "en", "fr")
DEFAULT = "vi"
LANGUAGE_COOKIE = "diemcau_lang"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "en": "English", "fr": "Français"}


@lru_cache(maxsize=None)
def translations(language: str) -> gettext.NullTranslations:
    po = LOCALES / language / "LC_MESSAGES" / "console.po"
    mo = po.with_suffix(".mo")
    if mo.exists() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        with mo.open("rb") as f:
            return gettext.GNUTranslations(f)
    if not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as f:
        catalog = read_po(f, locale=language)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


@lru_cache(maxsize=None)
def environment(language: str) -> Environment:
    """One environment per language: its gettext installed once, shared by every request in that language."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                      extensions=["jinja2.ext.i18n"], trim_blocks=True, lstrip_blocks=True)
    env.install_gettext_translations(translations(language), newstyle=True)
    env.globals.update(names.template_globals(language))  # hospital_name(code), specialty_name(code)
    return env


def language_of(request: Request, person=None) -> str:
    person = person or getattr(request.state, "console_person", None)
    if person is not None and getattr(person, "language", "") in LANGUAGES:
        return person.language
    chosen = request.cookies.get(LANGUAGE_COOKIE, "")
    if chosen in LANGUAGES:
        return chosen
    return from_accept_language(request.headers.get("accept-language", ""))


def from_accept_language(header: str) -> str:
    """The first of vi/en/fr the browser asks for, by its q-values; else Vietnamese."""
    ranked = []
    for n, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                q = 0.0
        ranked.append((-q, n, tag.strip().lower()[:2]))
    for _, _, language in sorted(ranked):
        if language in LANGUAGES:
            return language
    return DEFAULT


def gettext_for(request: Request, person=None):
    """gettext in this request's language, for messages made in Python (form errors, flashes)."""
    return translations(language_of(request, person)).gettext


def render(request: Request, template_name: str, status: int = 200, **context) -> HTMLResponse:
    """The page `template_name` in the request's language, with `person`, `csrf_token` and `language` set."""
    person = context.get("person") or getattr(request.state, "console_person", None)
    language = language_of(request, person)
    context.setdefault("person", person)
    context.setdefault("csrf_token", csrf.token_for_page(request))
    context.setdefault("language", language)
    context.setdefault("language_names", LANGUAGE_NAMES)
    context.setdefault("request", request)
    html = environment(language).get_template(template_name).render(**context)
    response = HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store",
                                                                "Content-Language": language})
    csrf.finish_response(request, response)
    return response

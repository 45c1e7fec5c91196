"""The administrators' page: people of the console (create, disable, reset a password). Admins only."""

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from ..live import sweep
from . import accounts
from .accounts import N_, Person
from .sessions import require_role
from .templating import render

is_admin = require_role("admin")
ROLE_NAMES = {"expert": N_("Expert"), "coordinator": N_("Coordinator"), "admin": N_("Administrator")}


def _page(request: Request, person: Person, status: int = 200, errors: dict | None = None, form: dict | None = None,
          handed: dict | None = None):
    with request.app.state.engine.begin() as conn:
        people = accounts.everyone(conn)
    return render(request, "admin.html", status=status, person=person, people=people, errors=errors or {},
                  form=form or {"role": "expert", "language": "vi"}, handed=handed, roles=accounts.ROLES,
                  role_names=ROLE_NAMES)


def admin_router() -> APIRouter:
    router = APIRouter(prefix="/admin")

    @router.get("")
    def people_page(request: Request, person: Person = Depends(is_admin)):
        return _page(request, person)

    @router.post("/people")
    def create(request: Request, login: str = Form(""), name: str = Form(""), title: str = Form(""),
               role: str = Form(""), hospital: str = Form(""), specialty: str = Form(""), foreign: str = Form(""),
               language: str = Form("vi"), person: Person = Depends(is_admin)):
        form = dict(login=login, name=name, title=title, role=role, hospital=hospital.strip().lower(),
                    specialty=specialty.strip().lower(), foreign=bool(foreign), language=language)
        password = accounts.new_password()
        try:
            with request.app.state.engine.begin() as conn:
                made = accounts.create_person(conn, login, name, role, password, hospital=form["hospital"],
                                              specialty=form["specialty"], title=title, foreign=bool(foreign),
                                              language=language)
        except accounts.InvalidFields as invalid:
            return _page(request, person, 400, invalid.errors, form)
        return _page(request, person, 201, handed={"login": made.login, "password": password, "made": True})

    @router.post("/people/{person_id}/disable")
    def disable(person_id: str, request: Request, person: Person = Depends(is_admin)):
        if person_id != person.id:  # an administrator cannot lock themselves out of the console
            with request.app.state.engine.begin() as conn:
                accounts.disable(conn, person_id)
            sweep.now(request.app)  # out of any live room at once, not at the next periodic sweep
        return RedirectResponse("/console/admin", status_code=303)

    @router.post("/people/{person_id}/reset-totp")
    def reset_totp(person_id: str, request: Request, person: Person = Depends(is_admin)):
        if person_id != person.id:  # one's own is kept: an administrator cannot work without it
            with request.app.state.engine.begin() as conn:
                accounts.reset_totp(conn, person_id)
        return RedirectResponse("/console/admin", status_code=303)

    @router.post("/people/{person_id}/reset-password")
    def reset_password(person_id: str, request: Request, person: Person = Depends(is_admin)):
        with request.app.state.engine.begin() as conn:
            target = accounts.by_id(conn, person_id)
            if target is None:
                return RedirectResponse("/console/admin", status_code=303)
            password = accounts.reset_password(conn, person_id)
        return _page(request, person, handed={"login": target.login, "password": password, "made": False})

    return router

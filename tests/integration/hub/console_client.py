"""A browser-like HTTP client for the console's tests: its cookies, and the CSRF token the last page carried."""

import re

import httpx

_CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')


class Console:
    def __init__(self, hub, **headers):
        self.hub = hub
        self.http = httpx.Client(base_url=hub.url, timeout=30, follow_redirects=False, headers=headers)
        self.csrf = ""

    def close(self):
        self.http.close()

    def get(self, path, **kwargs) -> httpx.Response:
        response = self.http.get(path, **kwargs)
        found = _CSRF_FIELD.search(response.text)
        if found:
            self.csrf = found.group(1)
        return response

    def post(self, path, data=None, *, csrf: str | None = None, **kwargs) -> httpx.Response:
        data = {"csrf": self.csrf if csrf is None else csrf, **(data or {})}
        if data["csrf"] == "":
            del data["csrf"]
        return self.http.post(path, data=data, **kwargs)

    def login(self, login, password, code="") -> httpx.Response:
        self.get("/console/login")
        response = self.post("/console/login", {"login": login, "password": password, "code": code})
        if response.status_code == 303:  # a page of the session, for its CSRF token (the inbox is not ours)
            self.get("/console/password")
        return response

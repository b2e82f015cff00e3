"""Load profile for KSF: 50 people browsing, filtering and searching; 10 registering and
endorsing needs. Run through `python -m bench.load.run` (make load), which prepares the users,
runs locust headless on loopback and checks the needs afterwards.

The simulated people use locust's FastHttpUser (geventhttpclient), not HttpUser (requests):
locust runs on the same two cores as the servers it measures, and FastHttpUser needs several
times less CPU per request, so less of the machine goes to the load generator. The people, their
numbers and their think time (1-3 s reading, 2-5 s registering) are unchanged; each reporter logs
in once, in on_start, and keeps the session cookie.

Environment: KSF_LOAD_USERS_FILE (JSON list of [username, password]) and KSF_LOAD_CREATED
(where the public ids of the needs this run created are written).
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import uuid
from urllib.parse import urlencode

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

SERVICE_AREAS = ["hjemmetjenester", "sykehjem", "legevakt", "rus_psykisk", "helsestasjon", "velferdsteknologi"]
QUERIES = ["fall", "demens", "ernæring", "velferdsteknologi", "legemidler", "rehabilitering", "ensomhet", "delirium"]
NEED_LINK = re.compile(r'href="/behov/((?:KB|IB)-\d{4}-\d{4,})/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

_need_ids: list[str] = []
_created: list[dict[str, str]] = []
_lock = threading.Lock()
_users: list[list[str]] = []
_next_user = 0


def _remember_ids(html: str) -> None:
    found = NEED_LINK.findall(html)
    if found:
        with _lock:
            for public_id in found:
                if public_id not in _need_ids:
                    _need_ids.append(public_id)


def _a_need() -> str | None:
    with _lock:
        return random.choice(_need_ids) if _need_ids else None


@events.test_start.add_listener
def _load_users(environment, **kwargs):
    path = os.environ.get("KSF_LOAD_USERS_FILE")
    if path and os.path.exists(path):
        _users.extend(json.load(open(path)))


@events.test_stop.add_listener
def _write_created(environment, **kwargs):
    path = os.environ.get("KSF_LOAD_CREATED")
    if path:
        with open(path, "w") as handle:
            json.dump(_created, handle, indent=1)


HOSTS = [h for h in os.environ.get("KSF_LOAD_HOSTS", "").split(",") if h]


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class SpreadUser(FastHttpUser):
    """Each simulated person talks to one of the web processes (as a load balancer would)."""

    abstract = True

    def __init__(self, environment):
        super().__init__(environment)
        if HOSTS:
            self.client.base_url = random.choice(HOSTS)

    def post_form(self, path, data, headers=None, **kwargs):
        return self.client.post(path, data=urlencode(data), headers={**FORM, **(headers or {})}, **kwargs)


class Browser(SpreadUser):
    """Someone reading: lists, filters, need pages, municipalities, search, projects, statistics."""

    fixed_count = int(os.environ.get("KSF_LOAD_BROWSERS", "50"))
    wait_time = between(1, 3)

    def on_start(self):
        response = self.client.get("/behov/", name="/behov/")
        _remember_ids(response.text)

    @task(4)
    def need_list(self):
        response = self.client.get("/behov/", name="/behov/")
        _remember_ids(response.text)

    @task(3)
    def need_list_filtered(self):
        area = random.choice(SERVICE_AREAS)
        self.client.get(f"/behov/?service_area={area}", name="/behov/?service_area=[omr]")

    @task(4)
    def need_page(self):
        public_id = _a_need()
        if public_id:
            self.client.get(f"/behov/{public_id}/", name="/behov/[id]/")

    @task(2)
    def search(self):
        self.client.get(f"/sok/?q={random.choice(QUERIES)}", name="/sok/?q=[ord]")

    @task(1)
    def front_page(self):
        self.client.get("/", name="/")

    @task(1)
    def municipalities(self):
        self.client.get("/kommuner/?q=berg", name="/kommuner/?q=[navn]")

    @task(1)
    def municipality(self):
        self.client.get(f"/kommuner/{random.choice(['4627', '4601', '5001', '5501'])}/", name="/kommuner/[nr]/")

    @task(1)
    def projects(self):
        self.client.get("/prosjekter/", name="/prosjekter/")

    @task(1)
    def statistics(self):
        self.client.get("/statistikk/", name="/statistikk/")

    @task(1)
    def api_needs(self):
        self.client.get("/api/v1/needs", name="/api/v1/needs")


class Reporter(SpreadUser):
    """A reporter in a municipality: registers needs and says "relevant for us too" on others."""

    fixed_count = int(os.environ.get("KSF_LOAD_REPORTERS", "10"))
    wait_time = between(2, 5)

    def on_start(self):
        global _next_user
        with _lock:
            username, password = _users[_next_user % len(_users)]
            _next_user += 1
        page = self.client.get("/konto/logg-inn/", name="/konto/logg-inn/")
        token = CSRF.search(page.text).group(1)
        self.post_form(
            "/konto/logg-inn/", {"username": username, "password": password, "csrfmiddlewaretoken": token, "next": "/"},
            name="/konto/logg-inn/ (POST)",
        )
        # A logged-in list also shows the municipality's unpublished needs; only the public
        # (anonymous) browsers collect ids, so every id is one the public may open.
        self.client.get("/behov/", name="/behov/")

    @task(2)
    def register_need(self):
        form = self.client.get("/behov/nytt/", name="/behov/nytt/")
        match = CSRF.search(form.text)
        if not match:
            return
        marker = uuid.uuid4().hex[:12]
        title = f"Lasttest {marker}: fall hos hjemmeboende"
        data = {
            "csrfmiddlewaretoken": match.group(1),
            "kind": "knowledge",
            "title": title,
            "question": "Hvilke tiltak forebygger fall hos hjemmeboende eldre med hjemmesykepleie?",
            "population": "Hjemmeboende eldre over 75 år",
            "service_area": random.choice(SERVICE_AREAS),
            "urgency": "medium",
            "action": "submit",
        }
        with self.post_form("/behov/nytt/", data, name="/behov/nytt/ (POST)", allow_redirects=False, catch_response=True) as response:
            location = response.headers.get("Location", "")
            if response.status_code == 302 and "/behov/" in location:
                public_id = location.rstrip("/").split("/")[-1]
                with _lock:
                    _created.append({"title": title, "public_id": public_id})
                response.success()
            else:
                response.failure(f"registration gave {response.status_code}")

    @task(3)
    def endorse(self):
        public_id = _a_need()
        if not public_id:
            return
        page = self.client.get(f"/behov/{public_id}/", name="/behov/[id]/")
        match = CSRF.search(page.text)
        if not match:
            return
        with self.post_form(
            f"/behov/{public_id}/relevant/", {"csrfmiddlewaretoken": match.group(1), "comment": "Relevant for oss også."},
            headers={"HX-Request": "true"}, name="/behov/[id]/relevant/ (POST)", catch_response=True,
        ) as response:
            # 400 is the expected, clear answer for "already endorsed" / own municipality / closed need.
            if response.status_code in (200, 400):
                response.success()
            else:
                response.failure(f"endorse gave {response.status_code}")

    @task(1)
    def my_needs(self):
        self.client.get("/behov/mine/", name="/behov/mine/")

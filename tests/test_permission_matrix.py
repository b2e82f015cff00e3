"""Every URL × every persona against tests/permission_matrix.py (generated from the URL conf).

Run `PERMISSION_MATRIX_REPORT=1 pytest tests/test_permission_matrix.py -s` to print the
observed table (handy when adding entries).
"""

from __future__ import annotations

import os
import re
import time
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from tests.permission_matrix import ALLOW, ANY, DENY, LITERALS, MATRIX, MAYBE, PERSONA_USERS, PERSONAS


def iter_url_names(resolver: Any = None, namespace: str = "") -> list[tuple[str, URLPattern]]:
    resolver = resolver or get_resolver()
    found: list[tuple[str, URLPattern]] = []
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            found.extend(iter_url_names(pattern, ns))
        elif pattern.name:
            found.append((f"{namespace}:{pattern.name}" if namespace else pattern.name, pattern))
    return found


def url_names() -> list[str]:
    return sorted({name for name, _ in iter_url_names()})


def test_every_url_has_an_entry_in_the_permission_matrix():
    missing = [n for n in url_names() if not n.startswith("admin:") and n not in MATRIX]
    assert not missing, (
        "Disse URL-ene mangler i tests/permission_matrix.py — legg dem inn med forventet tilgang per persona "
        "(these URL names have no entry in the permission matrix; add them): " + ", ".join(missing)
    )


def test_matrix_has_no_stale_entries():
    stale = sorted(set(MATRIX) - set(url_names()))
    assert not stale, f"Entries for URLs that no longer exist (remove them): {stale}"


def entries(name: str) -> list[dict]:
    value = MATRIX[name]
    return value if isinstance(value, list) else [value]


def test_every_entry_names_every_persona():
    for name in MATRIX:
        for item in entries(name):
            assert set(item["expect"]) == set(PERSONAS), name


def classify(response: Any) -> str:
    status = response.status_code
    if status == 503:
        return "unavailable"  # e.g. /readyz while the search index is still being built
    if status >= 500:
        return "error"
    if status in (301, 302, 303, 307, 308):
        location = response.get("Location", "")
        return "login" if "/konto/logg-inn/" in location or "/admin/login/" in location else "ok"
    if status == 401:
        return "login"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "notfound"
    if 200 <= status < 300 or status in (400, 405, 409, 422, 304):
        return "ok"
    return f"status {status}"


def acceptable(expect: str, outcome: str) -> bool:
    if outcome == "error" or outcome.startswith("status"):
        return False
    if outcome == "unavailable":
        return expect == ANY
    if expect == ALLOW:
        return outcome == "ok"
    if expect == DENY:
        return outcome in {"login", "forbidden", "notfound"}
    if expect == MAYBE:
        return outcome in {"ok", "notfound", "forbidden"}
    return expect == ANY


def build_samples(world: Any) -> dict[str, str]:
    """Path arguments from the demo data plus a few objects made here in known states."""
    from django.apps import apps

    from ksf.needs import services as need_services
    from ksf.needs.models import Need

    samples = dict(LITERALS)
    data = {"title": "Matrise: legemiddelgjennomgang", "question": "Hva virker for å redusere feilmedisinering hjemme?", "service_area": "hjemmetjenester"}
    samples["need_draft"] = need_services.need_create(user=world.sykepleier_askoy, municipality=world.askoy, data=data, notify=False).public_id
    samples["need_submitted"] = need_services.need_create(user=world.sykepleier_askoy, municipality=world.askoy, data=data, submit=True, notify=False).public_id
    public = Need.objects.filter(published_at__isnull=False, municipality=world.askoy).order_by("pk").first() or Need.objects.filter(published_at__isnull=False).first()
    samples["need_public"] = public.public_id if public else samples["need_submitted"]

    def first_pk(label: str, **filters: Any) -> str:
        try:
            model = apps.get_model(label)
        except LookupError:
            return LITERALS["missing"]
        obj = model._default_manager.filter(**filters).order_by("pk").first()
        return str(obj.pk) if obj else LITERALS["missing"]

    samples["evidence"] = first_pk("evidence.Evidence")
    samples["project"] = first_pk("projects.Project")
    samples["round"] = first_pk("priorities.Round")
    samples["criterion"] = first_pk("priorities.Criterion")
    samples["round_participant"] = first_pk("priorities.Participant")
    samples["record"] = first_pk("priorities.DecisionRecord")
    samples["initiative"] = first_pk("procurement.Initiative")
    samples["report"] = first_pk("procurement.ExperienceReport")
    samples["join_request"] = first_pk("procurement.JoinRequest")
    samples["question"] = first_pk("procurement.SupplierQuestion")
    samples["need_evidence"] = first_pk("evidence.Evidence")
    return samples


def _url(name: str, kwargs: dict[str, str], samples: dict[str, str]) -> str:
    return reverse(name, kwargs={k: samples[v] for k, v in kwargs.items()})


def _request(client: Client, url: str, method: str, data: dict | None = None) -> Any:
    cookies = client.cookies.__class__(client.cookies)  # a log-out must not end the persona's session
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif method == "POST":
            response = client.post(url, data or {})
        else:
            response = getattr(client, method.lower())(url, content_type="application/json")
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def _check(name: str, item: dict, samples: dict, clients: dict, failures: list, report: list) -> None:
    try:
        url = _url(name, item.get("kwargs", {}), samples)
    except (NoReverseMatch, KeyError) as exc:
        failures.append(f"{name}: cannot build the URL from the sample kwargs {item.get('kwargs')}: {exc}")
        return
    method = item.get("method")
    data = {k: samples[v[1:]] if isinstance(v, str) and v.startswith("@") else v for k, v in (item.get("data") or {}).items()}
    if data and method is None:
        method = "POST"
    row = []
    started = time.monotonic()
    for persona in PERSONAS:
        client = clients[persona]
        use = method or "GET"
        response = _request(client, url, use, data)
        for fallback in ("POST", "DELETE", "PUT", "PATCH"):
            if method is not None or response.status_code != 405:
                break
            use = fallback
            response = _request(client, url, use)
        outcome = classify(response)
        expect = item["expect"][persona]
        row.append(f"{persona}={outcome}:{response.status_code}")
        if not acceptable(expect, outcome):
            failures.append(f"{name} ({use} {url}) as {persona}: expected {expect}, got {outcome} ({response.status_code})")
    report.append(f"{name} {use} {url}: " + " ".join(row) + f" [{time.monotonic() - started:.2f}s]")


@pytest.mark.django_db
def test_every_url_answers_every_persona_as_the_matrix_says(world, monkeypatch, django_user_model):
    from django.core.management import call_command

    # PDF layout is slow and irrelevant to access: render a stub instead.
    monkeypatch.setattr("weasyprint.HTML.write_pdf", lambda self, *args, **kwargs: b"%PDF-1.4 stub")

    call_command("load_demo", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    samples = build_samples(world)
    clients: dict[str, Client] = {"public": Client()}
    for persona, attr in PERSONA_USERS.items():
        clients[persona] = Client()
        # Fresh from the database: load_demo has set the demo password since `world` was built.
        clients[persona].force_login(django_user_model.objects.get(pk=getattr(world, attr).pk))
    failures: list[str] = []
    report: list[str] = []
    for name in url_names():
        if name.startswith("admin:") or name not in MATRIX:
            continue
        for item in entries(name):
            _check(name, item, samples, clients, failures, report)
    if os.environ.get("PERMISSION_MATRIX_REPORT"):
        print("\n".join(report))
    assert not failures, "\n".join(failures)


@pytest.mark.django_db
def test_admin_urls_are_for_administrators_only(world):
    names = [(n, p) for n, p in iter_url_names() if n.startswith("admin:")]
    clients = {"public": Client()}
    for persona, attr in PERSONA_USERS.items():
        clients[persona] = Client()
        clients[persona].force_login(getattr(world, attr))
    admin_client = Client()
    admin_client.force_login(world.admin)
    failures = []
    for name, pattern in names:
        converters = re.findall(r"<(?:(\w+):)?(\w+)>|\(\?P<(\w+)>", str(pattern.pattern))
        kwargs = {}
        for conv, arg, regex_arg in converters:
            key = arg or regex_arg
            kwargs[key] = "accounts" if key == "app_label" else "1"
        try:
            url = reverse(name, kwargs=kwargs or None)
        except NoReverseMatch:
            continue
        if name in ("admin:login", "admin:logout"):
            continue
        for persona, client in clients.items():
            outcome = classify(client.get(url))
            if outcome not in {"login", "forbidden", "notfound"}:
                failures.append(f"{name} {url} as {persona}: {outcome}")
        if not kwargs and not name.endswith(("logout", "view_on_site", "autocomplete")):
            outcome = classify(admin_client.get(url))
            # Read-only admin pages (no "add") answer 403 to the administrator too: still not a failure.
            if outcome != "ok" and not (name.endswith("_add") and outcome == "forbidden"):
                failures.append(f"{name} {url} as admin: {outcome}")
    assert not failures, "\n".join(failures)

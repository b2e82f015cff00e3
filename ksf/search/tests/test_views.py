"""The search page, the live similar-needs fragment, the candidate-needs include and the API."""

from __future__ import annotations

from typing import Any

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from ksf.search.tests.test_services import DEMENTIA, FALL_NEED, FALLS, TEETH, fillers


@pytest.fixture
def evidence(make_evidence: Any) -> list[Any]:
    return [
        make_evidence(*FALLS, year=2019),
        make_evidence(*DEMENTIA, source="fhi", title_no="Musikkterapi ved demens", year=2017),
        make_evidence(*TEETH, evidence_type="guideline", year=2010),
    ]


def test_search_page_shows_needs_and_evidence_in_two_groups(client, evidence, make_need):
    need = make_need(*FALL_NEED)
    response = client.get(reverse("search:search"), {"q": "fallforebygging"})
    assert response.status_code == 200
    body = response.content.decode()
    assert need.public_id in body
    assert reverse("evidence:detail", args=[evidence[0].pk]) in body
    assert "<mark>" in body
    assert 'id="need-results-h"' in body and 'id="evidence-results-h"' in body
    assert "style=" not in body and "<script>" not in body.split("</head>")[-1].replace('<script src', '')


def test_search_page_filters_evidence_by_source(client, evidence):
    response = client.get(reverse("search:search"), {"q": "falls dementia music", "source": "fhi"})
    body = response.content.decode()
    assert reverse("evidence:detail", args=[evidence[1].pk]) in body
    assert reverse("evidence:detail", args=[evidence[0].pk]) not in body


def test_search_page_without_a_query_is_just_the_form(client, db):
    response = client.get(reverse("search:search"))
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()


@pytest.mark.parametrize("q", ["\x00\x07", "x" * 10_000, "<script>alert(1)</script>", "fall" * 3000])
def test_search_page_survives_bad_queries(client, evidence, q):
    response = client.get(reverse("search:search"), {"q": q, "year_from": "abc", "source": "nope"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()


def test_similar_needs_fragment_shows_a_duplicate_with_a_link_to_endorse(client, world, make_need):
    need = make_need(*FALL_NEED, status="answered", answer="Trening reduserer fall.")
    fillers(make_need)
    client.force_login(world.helsesykepleier_oygarden)
    response = client.get(
        reverse("search:similar_needs"),
        {"title": "Forebygging av fall hos hjemmeboende eldre", "question": "Hvilke tiltak kan forebygge fall hos eldre som bor hjemme?"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert need.public_id in body
    assert "Trening reduserer fall." in body
    assert reverse("needs:detail", args=[need.public_id]) + "#support" in body
    assert "<html" not in body


def test_similar_needs_fragment_is_empty_when_nothing_is_really_similar(client, world, make_need):
    make_need(*FALL_NEED)
    fillers(make_need)
    client.force_login(world.sykepleier_askoy)
    response = client.get(reverse("search:similar_needs"), {"title": "Tannhelse i barnehagen", "question": "Pusser barna tennene?"})
    assert response.status_code == 200
    assert response.content.decode().strip() == ""


def test_similar_needs_fragment_hides_unpublished_needs_from_an_outsider(client, world, make_need):
    make_need(*FALL_NEED, status="submitted", published=False)
    fillers(make_need)
    client.force_login(world.utenforstaende_tromso)
    response = client.get(reverse("search:similar_needs"), {"title": FALL_NEED[0], "question": FALL_NEED[1]})
    assert response.content.decode().strip() == ""


def test_need_form_wires_the_similar_needs_box(client, world):
    client.force_login(world.sykepleier_askoy)
    body = client.get(reverse("needs:create")).content.decode()
    assert f'hx-get="{reverse("search:similar_needs")}"' in body


def test_candidate_needs_include_lists_possible_duplicates(world, make_need):
    need = make_need(*FALL_NEED)
    other = make_need("Forebygging av fall hos eldre som bor hjemme", "Hvilke tiltak forebygger fall hos hjemmeboende eldre?")
    fillers(make_need)
    request = RequestFactory().get("/")
    request.user = world.koordinator_bergen
    html = Template("{% load search_tags %}{% candidate_needs need %}").render(Context({"need": need, "request": request}))
    assert other.public_id in html
    assert f">{need.public_id} " not in html


# --- API ----------------------------------------------------------------------------------------


def test_api_evidence_search_returns_ranked_hits_with_scores(client, evidence):
    response = client.get("/api/v1/search/evidence", {"q": "fallforebygging", "limit": 2})
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == len(data["results"]) <= 2
    first = data["results"][0]
    assert first["id"] == evidence[0].pk
    assert {"score", "snippet", "title", "year", "source", "type", "language", "matched_terms"} <= set(first)
    scores = [r["score"] for r in data["results"]]
    assert scores == sorted(scores, reverse=True)


def test_api_evidence_search_filters(client, evidence):
    data = client.get("/api/v1/search/evidence", {"q": "falls music caries", "type": "guideline"}).json()
    assert [r["id"] for r in data["results"]] == [evidence[2].pk]


@pytest.mark.parametrize(
    ("params", "field"),
    [({"q": "x" * 10_000}, "q"), ({"q": "fall", "limit": 51}, "limit"), ({"q": "fall", "limit": "abc"}, "limit"), ({"q": "fall", "source": "nope"}, "source")],
)
def test_api_refuses_bad_parameters_with_a_400(client, evidence, params, field):
    response = client.get("/api/v1/search/evidence", params)
    assert response.status_code == 400
    assert field in response.json()


def test_api_over_long_query_message_is_norwegian(client, db):
    response = client.get("/api/v1/search/needs", {"q": "x" * 2001})
    assert "for lang" in response.json()["q"][0]


@pytest.mark.parametrize("q", ["", "\x00\x01", "og i på"])
def test_api_empty_or_control_character_queries_give_empty_results(client, evidence, q):
    for url in ("/api/v1/search/evidence", "/api/v1/search/needs"):
        response = client.get(url, {"q": q})
        assert response.status_code == 200
        assert response.json()["results"] == []


def test_api_need_search_shows_only_what_the_caller_may_see(client, world, make_need):
    public = make_need(*FALL_NEED)
    hidden = make_need("Fall på sykehjem om natten", "Forebygging av fall om natten", status="submitted", published=False)
    fillers(make_need)
    ids = {r["public_id"] for r in client.get("/api/v1/search/needs", {"q": "fall"}).json()["results"]}
    assert ids == {public.public_id}
    client.force_login(world.utenforstaende_tromso)
    ids = {r["public_id"] for r in client.get("/api/v1/search/needs", {"q": "fall"}).json()["results"]}
    assert hidden.public_id not in ids
    client.force_login(world.koordinator_bergen)
    ids = {r["public_id"] for r in client.get("/api/v1/search/needs", {"q": "fall"}).json()["results"]}
    assert ids == {public.public_id, hidden.public_id}


def test_search_endpoints_are_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").content.decode()
    assert "/api/v1/search/evidence" in schema and "/api/v1/search/needs" in schema


def test_readyz_includes_the_search_index(client, evidence):
    from ksf.search import index

    index.build_from_db()
    data = client.get("/readyz").json()
    assert data["checks"]["search"] == "ok"

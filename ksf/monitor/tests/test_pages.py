"""The statistics page, downloads, API and open-data bundle: they render, agree and open."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from ksf.monitor import services
from ksf.monitor.tests import dataset
from ksf.organisations.models import Organisation

QUERY = {"from": "2025-01-01", "to": "2025-12-31"}


@pytest.fixture
def needs(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return dataset.build()


def _page_headline(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-key="([a-z0-9_]+)" data-value="([^"]*)"', html))


def _csv(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _as_text(value) -> str:
    return "" if value is None else str(value)


def test_the_statistics_page_renders_every_figure_with_chart_and_table(client, needs):
    response = client.get(reverse("monitor:stats"), QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    for title in ("Behov meldt inn per kvartal", "Behov etter høyeste nivå", "Behov etter utfall", "Deltakelse per helseregion",
                  "Saksbehandlingstid i dager", "Prosjekter etter status", "Brukermedvirkning", "Felles anskaffelser etter fase"):
        assert title in html
    # Each chart is an image with a label inside a figure with a caption, plus a table alternative.
    assert html.count('role="img"') >= 6
    assert html.count("<figure") == html.count("<figcaption>")
    assert 'aria-label="Søylediagram: behov meldt inn per kvartal"' in html
    assert "2025 K3" in html  # the empty quarter is in the table
    assert "Vis tallene som tabell" in html
    # The county grid links every municipality.
    assert html.count('class="muni-cell') == 357 + 2  # + the two legend swatches


def test_page_csv_and_api_show_the_same_headline_figures(client, needs):
    page = _page_headline(client.get(reverse("monitor:stats"), QUERY).content.decode())
    rows = _csv(client.get(reverse("monitor:download", args=["nokkeltall", "csv"]), QUERY).content)
    from_csv = {r[0]: r[2] for r in rows[1:]}
    api = client.get("/api/v1/stats", QUERY).json()
    assert api["filters"] == QUERY
    from_api = {k: _as_text(v) for k, v in api["headline"].items()}
    assert set(from_api) == set(from_csv)
    for key, value in from_api.items():
        assert page[key] == value == from_csv[key], key
    assert api["headline"]["needs_registered"] == 9
    assert api["headline"]["p80_days_to_answer"] == 74.0


def test_filters_give_the_same_figures_on_page_csv_and_api(client, needs):
    query = {**QUERY, "region": "vest", "service_area": "hjemmetjenester"}
    page = _page_headline(client.get(reverse("monitor:stats"), query).content.decode())
    from_csv = {r[0]: r[2] for r in _csv(client.get(reverse("monitor:download", args=["nokkeltall", "csv"]), query).content)[1:]}
    api = client.get("/api/v1/stats", query).json()["headline"]
    # Vest + home care: N1, N3, N8, N9 → 4 registered, answered N1 and N3.
    assert api["needs_registered"] == 4 and api["needs_answered"] == 2
    assert page["needs_registered"] == from_csv["needs_registered"] == "4"


def test_every_figure_downloads_as_csv_and_xlsx(client, needs):
    slugs = re.findall(r'/statistikk/data/([a-z0-9-]+)\.csv', client.get(reverse("monitor:stats"), QUERY).content.decode())
    assert len(set(slugs)) >= 14
    for slug in set(slugs):
        response = client.get(reverse("monitor:download", args=[slug, "csv"]), QUERY)
        assert response.status_code == 200
        assert _csv(response.content)[0]
        response = client.get(reverse("monitor:download", args=[slug, "xlsx"]), QUERY)
        assert response.status_code == 200
        wb = load_workbook(io.BytesIO(response.content))
        assert wb.worksheets[0].max_row >= 1


def test_quarter_csv_has_the_empty_quarter_and_xlsx_the_same_rows(client, needs):
    rows = _csv(client.get(reverse("monitor:download", args=["behov-per-kvartal", "csv"]), QUERY).content)
    assert rows == [["Kvartal", "Første dag", "Behov meldt inn"], ["2025 K1", "2025-01-01", "3"], ["2025 K2", "2025-04-01", "3"],
                    ["2025 K3", "2025-07-01", "0"], ["2025 K4", "2025-10-01", "3"]]
    wb = load_workbook(io.BytesIO(client.get(reverse("monitor:download", args=["behov-per-kvartal", "xlsx"]), QUERY).content))
    values = [[c.value for c in row] for row in wb.worksheets[0].iter_rows()]
    assert values[3] == ["2025 K3", "2025-07-01", 0]


def test_unknown_figure_is_404_and_bad_filters_are_explained_not_500(client, needs):
    assert client.get(reverse("monitor:download", args=["finnes-ikke", "csv"])).status_code == 404
    response = client.get(reverse("monitor:stats"), {"from": "i går", "region": "mars", "to": "2025-01-01"})
    assert response.status_code == 200
    assert "Skriv datoen som ÅÅÅÅ-MM-DD." in response.content.decode()
    assert client.get("/api/v1/stats", {"from": "2025-12-31", "to": "2025-01-01"}).status_code == 400


def test_region_page_compares_the_region_with_the_country(client, needs):
    response = client.get(reverse("monitor:region", args=["vest"]), QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Statistikk for Helse Vest" in html
    assert 'data-key="needs_registered" data-value="6"' in html  # N1 N2 N3 N8 N9 N10
    assert client.get(reverse("monitor:region", args=["ukjent"])).status_code == 404


def test_municipality_and_cluster_pages_show_their_figures_against_the_country(client, needs):
    html = client.get(reverse("organisations:detail", args=["4627"])).content.decode()
    assert "Askøy sammenlignet med hele landet" in html or "Tallene for Askøy" in html
    assert 'data-key="needs_registered" data-value="2"' in html
    assert "Kommunen har støttet 0 behov" in html
    cluster = Organisation.objects.get(slug="bergensklyngen")
    html = client.get(reverse("organisations:cluster", args=[cluster.slug])).content.decode()
    assert 'data-key="needs_registered" data-value="6"' in html


# --- open data ---------------------------------------------------------------------------------


def test_open_data_bundle_contains_the_files_and_opens(needs):
    path = services.open_data_bundle_build()
    assert services.BUNDLE_RE.match(path.name)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        names = {n.split("/", 1)[1] for n in zf.namelist()}
        for expected in ("behov.csv", "behov.json", "behov_historikk.csv", "stotte.csv", "deltakelse.csv", "ordbok.json",
                         "LESMEG.md", "statistikk/nokkeltall.csv", "statistikk/nokkeltall.json", "kunnskapslenker.csv",
                         "prosjekter.csv", "prosjekter.json"):
            assert expected in names, expected
        prefix = zf.namelist()[0].split("/", 1)[0]

        def read_csv(name):
            return list(csv.DictReader(io.StringIO(zf.read(f"{prefix}/{name}").decode("utf-8-sig"))))

        needs_rows = read_csv("behov.csv")
        # Only public needs (accepted by the cluster): N1 N2 N3 N5 N8 N9 N10; not N4 (rejected unseen), N6, N7.
        assert sorted(r["behovsnummer"] for r in needs_rows) == [f"KB-2025-{n}" for n in ("0001", "0002", "0003", "0005", "0008", "0009", "0010")]
        n1 = next(r for r in needs_rows if r["behovsnummer"] == "KB-2025-0001")
        assert n1["forste_innsending"] == "2025-01-10T12:00:00Z" and n1["stottet_av_antall"] == "2"
        docs = json.loads(zf.read(f"{prefix}/behov.json"))
        assert [h["til_status"] for h in next(d for d in docs if d["behovsnummer"] == "KB-2025-0001")["historikk"]] == [
            "submitted", "cluster_review", "forwarded", "evidence_check", "answered"]
        history = read_csv("behov_historikk.csv")
        assert len(history) == 5 + 3 + 7 + 2 + 4 + 5 + 3
        dictionary = json.loads(zf.read(f"{prefix}/ordbok.json"))
        assert {c["navn"] for c in dictionary["filer"]["behov.csv"]["kolonner"]} == set(needs_rows[0].keys())
        headline = json.loads(zf.read(f"{prefix}/statistikk/nokkeltall.json"))
        assert headline["needs_registered"] == 9  # all of the country, all time (N7 is a draft)
        # No personal data anywhere.
        blob = b"".join(zf.read(n) for n in zf.namelist()).decode("utf-8", "replace")
        assert "@example.no" not in blob and "Sykepleier" not in blob


def test_open_data_is_served_and_linked_from_the_stats_page(client, needs):
    assert client.get(reverse("monitor:open_data_latest")).status_code == 404
    path = services.open_data_bundle_build()
    html = client.get(reverse("monitor:stats")).content.decode()
    assert reverse("monitor:open_data_file", args=[path.name]) in html
    response = client.get(reverse("monitor:open_data_latest"))
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert client.get("/statistikk/apne-data/..%2F..%2Fetc%2Fpasswd").status_code == 404
    assert client.get(reverse("monitor:open_data_file", args=["ksf-apne-data-1999-01-01.zip"])).status_code == 404


def test_a_coordinator_can_build_the_bundle_on_demand(client, needs):
    client.force_login(_user("koordinator.bergen"))
    response = client.post(reverse("monitor:open_data_build"))
    assert response.status_code == 302
    assert services.latest_bundle() is not None


def test_an_outsider_cannot_build_the_bundle(client, needs):
    client.force_login(_user("utenforstaende.tromso"))
    assert client.post(reverse("monitor:open_data_build")).status_code == 403
    client.logout()
    assert client.post(reverse("monitor:open_data_build")).status_code in (302, 403)
    assert services.latest_bundle() is None


def test_build_open_data_command_writes_the_bundle(needs):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("build_open_data", stdout=out)
    assert "Datapakken er bygd" in out.getvalue()
    assert services.latest_bundle() is not None


def test_the_api_schema_documents_the_stats_endpoint(client, needs):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/stats" in schema["paths"]


def _user(username):
    from ksf.accounts.models import User

    return User.objects.get(username=username)


def test_the_cached_page_shows_new_data_at_once(client, needs):
    url = reverse("monitor:stats")
    first = client.get(url, QUERY).content.decode()
    assert _page_headline(first)["needs_registered"] == "9"
    assert "<th scope=\"row\">2025 K3</th><td>2025-07-01</td><td class=\"num\">0</td>" in first
    dataset.make_need("0300", "4627", "annet", [(dataset.at(8, 1), "submitted")])
    second = client.get(url, QUERY).content.decode()
    assert _page_headline(second)["needs_registered"] == "10"
    assert "<th scope=\"row\">2025 K3</th><td>2025-07-01</td><td class=\"num\">1</td>" in second

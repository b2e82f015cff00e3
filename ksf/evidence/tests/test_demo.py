"""The demo loader: real samples imported once, answered needs linked by topic, idempotent."""

from __future__ import annotations

import pytest

from ksf.evidence import demo
from ksf.evidence.models import Evidence, ImportRun, NeedEvidenceLink

pytestmark = pytest.mark.django_db


def test_demo_imports_the_samples_and_links_answered_needs_by_topic(world, make_need):
    falls_need = make_need(title="Hvordan forebygge fall hos eldre i hjemmetjenesten", status="answered")
    dementia_need = make_need(title="Kartlegging av demens i sykehjem", status="summary_published")
    open_need = make_need(title="Forebygging av fall på sykehjem", status="evidence_check")
    no_evidence = make_need(title="Smittevern på sykehjem – hva virker?", status="answered")
    message = demo.load(world)
    assert "koblinger" in message
    assert Evidence.objects.count() == 42 + 99 - 19 + 4 + 1 + 4
    falls_links = NeedEvidenceLink.objects.filter(need=falls_need).select_related("evidence")
    assert falls_links.count() >= 2
    assert all("fall" in link.evidence.title.lower() for link in falls_links)
    answer = falls_links.get(relation="answers")
    assert answer.what_we_know and answer.created_by == world.nasjonal_ks
    assert NeedEvidenceLink.objects.filter(need=dementia_need, evidence__title__icontains="dementia").exists()
    assert not NeedEvidenceLink.objects.filter(need=open_need).exists()
    assert not NeedEvidenceLink.objects.filter(need=no_evidence).exists()  # no guessing when the set has nothing

    links, runs = NeedEvidenceLink.objects.count(), ImportRun.objects.count()
    demo.load(world)
    assert (NeedEvidenceLink.objects.count(), ImportRun.objects.count()) == (links, runs)


def test_demo_without_answered_needs_says_so(world):
    assert "ingen besvarte behov" in demo.load(world)
    assert Evidence.objects.exists()

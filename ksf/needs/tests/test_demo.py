"""The demo set walks the real services and can be loaded twice."""

import pytest
from django.urls import reverse
from django.utils import timezone

from ksf.needs import demo
from ksf.needs.models import Endorsement, Need, NeedStatusChange
from ksf.needs.workflow import Status

pytestmark = pytest.mark.django_db


def test_demo_needs_cover_the_workflow_and_loading_twice_changes_nothing(world):
    message = demo.load(world)
    assert "30" in message or str(len(demo.NEEDS)) in message
    count = Need.objects.count()
    assert count == len(demo.NEEDS)
    statuses = set(Need.objects.values_list("status", flat=True))
    for status in (Status.DRAFT, Status.SUBMITTED, Status.CLARIFICATION, Status.CLUSTER_REVIEW, Status.FORWARDED,
                   Status.NATIONAL, Status.EVIDENCE_CHECK, Status.ANSWERED, Status.SUMMARY_COMMISSIONED,
                   Status.SUMMARY_PUBLISHED, Status.RESEARCH_PROPOSAL, Status.IN_PROJECT, Status.RESULTS_PUBLISHED,
                   Status.MERGED, Status.REJECTED, Status.ANSWERED_LOCALLY, Status.WITHDRAWN):
        assert status in statuses, status
    assert Need.objects.filter(kind="innovation").count() >= 3
    years = {n.created_at.year for n in Need.objects.all()}
    assert {2024, 2025, 2026} <= years
    for need in Need.objects.exclude(status=Status.DRAFT):
        history = list(NeedStatusChange.objects.filter(need=need).order_by("created_at", "pk"))
        assert history and history[0].created_at >= need.created_at
        assert need.public_id.startswith(f"KB-{timezone.localtime(need.created_at).year}-")
    assert Endorsement.objects.values("municipality").distinct().count() >= 8
    assert demo.load(world).endswith("finnes allerede")
    assert Need.objects.count() == count


def test_every_demo_page_renders_for_the_public_and_the_personas(world, client):
    demo.load(world)
    assert client.get("/behov/").status_code == 200
    public = list(Need.objects.filter(published_at__isnull=False).values_list("public_id", flat=True))
    for public_id in public:
        assert client.get(f"/behov/{public_id}/").status_code == 200
    for user in (world.koordinator_bergen, world.regionkoordinator_vest, world.forsker_fhi, world.nasjonal_ks):
        client.force_login(user)
        for name in ("queue_cluster", "queue_region", "queue_national", "queue_partner"):
            assert client.get(reverse(f"needs:{name}")).status_code in (200, 403)
        for public_id in Need.objects.exclude(status=Status.DRAFT).values_list("public_id", flat=True)[:40]:
            assert client.get(f"/behov/{public_id}/").status_code in (200, 404)
    client.force_login(world.sykepleier_askoy)
    assert "Behandling av leggsår" in client.get("/behov/mine/").content.decode()

"""The demo set loads, is idempotent and tells the whole story."""

import pytest

from ksf.procurement import demo
from ksf.procurement.models import ExperienceReport, Initiative

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_without_duplicates(world):
    demo.load(world)
    demo.load(world)
    assert Initiative.objects.count() == 2
    night = Initiative.objects.get(title=demo.TITLE_1)
    assert night.phase == "markedsdialog" and night.dialogue_accepts_questions
    assert night.needs.count() >= 2
    assert {o.name for o in night.participants.all()} == {"Askøy", "Øygarden", "Helse Bergen HF"}
    assert night.interests.get().supplier == world.trygghetsteknologi
    assert night.questions.get().is_answered
    assert night.join_requests.filter(status="pending").count() == 1
    pilot = Initiative.objects.get(title=demo.TITLE_2)
    assert pilot.phase == "utproving"
    assert ExperienceReport.objects.filter(initiative=pilot, published_at__isnull=False).count() == 1

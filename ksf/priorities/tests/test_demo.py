"""The demo loader: a published round, an open round and published decision records; idempotent."""

import pytest

from ksf.needs.workflow import Status
from ksf.priorities import demo
from ksf.priorities.models import ConflictDeclaration, DecisionRecord, Round, RoundDecision, RoundStatus
from ksf.priorities.ranking import compute_ranking
from ksf.priorities.selectors import adopted_by


@pytest.mark.django_db
def test_demo_loads_a_published_round_an_open_round_and_records_and_is_idempotent(world):
    demo.load(world)
    counts = (Round.objects.count(), RoundDecision.objects.count(), DecisionRecord.objects.count())
    demo.load(world)
    assert (Round.objects.count(), RoundDecision.objects.count(), DecisionRecord.objects.count()) == counts
    published = Round.objects.get(title=demo.PUBLISHED_TITLE)
    assert published.status == RoundStatus.PUBLISHED and published.participants.count() == 3
    assert ConflictDeclaration.objects.filter(round=published, conflicted=True).count() == 1
    ranking = compute_ranking(published)
    assert all(row.total is not None for row in ranking.rows)
    moved = {d.need.status for d in RoundDecision.objects.filter(round=published)}
    assert {Status.EVIDENCE_CHECK, Status.NATIONAL, Status.SUMMARY_COMMISSIONED} <= moved
    open_round = Round.objects.get(title=demo.OPEN_TITLE)
    assert open_round.status == RoundStatus.OPEN and open_round.candidates.count() >= 2
    record = DecisionRecord.objects.get(municipality=world.askoy)
    assert record.published and len(adopted_by(record.need)) == 2

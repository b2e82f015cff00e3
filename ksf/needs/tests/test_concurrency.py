"""Two people acting on the same need at once, on PostgreSQL with two real connections.

Exactly one transition wins; the other gets TransitionConflict and writes nothing. Public ids
stay unique when several needs are registered at the same moment.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from ksf.accounts.models import Membership, Role, User
from ksf.needs import services
from ksf.needs.models import Need, NeedStatusChange
from ksf.needs.workflow import Status

from .helpers import BASE_DATA, walk

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks, real connections)"),
]


def _run_at_once(*jobs):
    barrier = threading.Barrier(len(jobs))
    results: list = [None] * len(jobs)

    def runner(i, job):
        try:
            barrier.wait(timeout=10)
            results[i] = job()
        except Exception as exc:  # noqa: BLE001 - collected for the assertions
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_two_coordinators_acting_at_once_exactly_one_wins_and_one_history_row(world):
    second = User.objects.create(username="koordinator2.bergen", email="k2@example.no")
    Membership.objects.create(user=second, organisation=world.bergensklyngen, role=Role.CLUSTER_COORDINATOR)
    for round_ in range(3):
        need = walk(world, Status.SUBMITTED, title=f"Samtidig {round_}")
        copy_a, copy_b = Need.objects.get(pk=need.pk), Need.objects.get(pk=need.pk)
        results = _run_at_once(
            lambda a=copy_a: services.need_transition(need=a, user=User.objects.get(pk=world.koordinator_bergen.pk),
                                                      to=Status.CLUSTER_REVIEW),
            lambda b=copy_b: services.need_transition(need=b, user=User.objects.get(pk=second.pk), to=Status.REJECTED,
                                                      reason="Dekket av et annet behov"),
        )
        winners = [r for r in results if isinstance(r, Need)]
        conflicts = [r for r in results if isinstance(r, services.TransitionConflict)]
        assert len(winners) == 1 and len(conflicts) == 1, results
        assert "endret av noen andre samtidig" in str(conflicts[0])
        need.refresh_from_db()
        assert need.status == winners[0].status
        rows = NeedStatusChange.objects.filter(need=need, from_status=Status.SUBMITTED)
        assert rows.count() == 1 and rows.get().to_status == need.status


def test_a_transaction_holding_the_row_makes_the_other_wait_and_then_conflict(world):
    from django.db import transaction

    need = walk(world, Status.SUBMITTED)
    copy_a, copy_b = Need.objects.get(pk=need.pk), Need.objects.get(pk=need.pk)
    a_updated = threading.Event()
    b_started = threading.Event()

    def first():
        with transaction.atomic():
            result = services.need_transition(need=copy_a, user=User.objects.get(pk=world.koordinator_bergen.pk),
                                              to=Status.CLUSTER_REVIEW)
            a_updated.set()
            b_started.wait(timeout=10)  # commit only after the other has started its own attempt
        return result

    def second():
        a_updated.wait(timeout=10)
        b_started.set()
        return services.need_transition(need=copy_b, user=User.objects.get(pk=world.koordinator_bergen.pk),
                                        to=Status.CLARIFICATION, reason="Hva mener dere?")

    results = _run_at_once(first, second)
    assert isinstance(results[0], Need) and isinstance(results[1], services.TransitionConflict), results
    assert NeedStatusChange.objects.filter(need=need, from_status=Status.SUBMITTED).count() == 1
    assert Need.objects.get(pk=need.pk).status == Status.CLUSTER_REVIEW


def test_public_ids_stay_unique_when_needs_are_registered_at_the_same_moment(world):
    users = [world.sykepleier_askoy, world.fou_askoy, world.helsesykepleier_oygarden, world.fou_trondheim]
    results = _run_at_once(*[
        (lambda u=u, i=i: services.need_create(user=User.objects.get(pk=u.pk), data={**BASE_DATA, "title": f"Samtidig {i}"}))
        for i, u in enumerate(users * 2)
    ])
    assert all(isinstance(r, Need) for r in results), results
    ids = [r.public_id for r in results]
    assert len(set(ids)) == len(ids) == 8

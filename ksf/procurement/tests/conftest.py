"""Fixtures for procurement tests: published innovation needs and an initiative led by Bergen."""

from __future__ import annotations

import pytest

from ksf.needs.models import NeedKind


@pytest.fixture
def innovation_needs(world):
    from ksf.needs import services as need_services
    from ksf.needs.workflow import Status

    needs = []
    for title in ("Digitalt tilsyn om natten i hjemmetjenesten", "Fallsensorer i omsorgsboliger"):
        need = need_services.need_create(
            user=world.sykepleier_askoy,
            data={"kind": NeedKind.INNOVATION, "title": title, "question": f"Vi trenger {title.lower()}.",
                  "service_area": "velferdsteknologi"},
            submit=True,
        )
        needs.append(need_services.need_transition(need=need, user=world.koordinator_bergen, to=Status.CLUSTER_REVIEW))
    return needs


@pytest.fixture
def initiative(world, innovation_needs):
    from ksf.procurement import services

    return services.initiative_create(
        user=world.koordinator_bergen,
        lead=world.bergen,
        data={"title": "Digitalt tilsyn om natten", "description": "Varsling om natten uten kamera.",
              "volume_text": "400 brukere", "volume_number": 400, "volume_unit": "brukere"},
        needs=innovation_needs,
        participants=[world.askoy, world.helse_bergen],
        publish=True,
    )


@pytest.fixture
def in_dialogue(world, initiative):
    from ksf.procurement import services

    return services.initiative_move_phase(initiative=initiative, user=world.koordinator_bergen, to="markedsdialog")

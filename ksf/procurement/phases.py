"""The phases of a joint procurement (LUP's method), as one explicit table.

An initiative moves forward one phase at a time; two back-steps are allowed because they
happen in practice: the market dialogue can show that the need must be clarified again, and
a competition can be cancelled and the dialogue resumed. Back-steps require a note (shown on
the public timeline). Any other move is refused. `services.initiative_move_phase` is the only
code that changes an initiative's phase; it reads this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    NEED_CLARIFICATION = "behovsavklaring", _("Behovsavklaring")
    MARKET_DIALOGUE = "markedsdialog", _("Markedsdialog")
    COMPETITION = "konkurranse", _("Konkurranse")
    CONTRACT = "kontrakt", _("Kontrakt")
    PILOT = "utproving", _("Utprøving")
    SCALING = "skalering", _("Skalering")


ORDER: tuple[str, ...] = tuple(Phase.values)


@dataclass(frozen=True)
class PhaseStep:
    source: str
    target: str
    label: Promise | str
    requires_note: bool = False
    backwards: bool = False


P = Phase
STEPS: tuple[PhaseStep, ...] = (
    PhaseStep(P.NEED_CLARIFICATION, P.MARKET_DIALOGUE, _("Start markedsdialog")),
    PhaseStep(P.MARKET_DIALOGUE, P.COMPETITION, _("Start konkurranse")),
    PhaseStep(P.COMPETITION, P.CONTRACT, _("Kontrakt inngått")),
    PhaseStep(P.CONTRACT, P.PILOT, _("Start utprøving")),
    PhaseStep(P.PILOT, P.SCALING, _("Start skalering")),
    # Allowed back-steps (a note is required).
    PhaseStep(P.MARKET_DIALOGUE, P.NEED_CLARIFICATION, _("Tilbake til behovsavklaring"), requires_note=True, backwards=True),
    PhaseStep(P.COMPETITION, P.MARKET_DIALOGUE, _("Avlys konkurransen og gjenoppta markedsdialogen"), requires_note=True, backwards=True),
)

TABLE: dict[tuple[str, str], PhaseStep] = {(s.source, s.target): s for s in STEPS}
assert len(TABLE) == len(STEPS), "duplicate step in the phase table"

# Experience reports can be written once something has been procured.
REPORTABLE_PHASES = frozenset({P.CONTRACT.value, P.PILOT.value, P.SCALING.value})


def steps_from(phase: str) -> list[PhaseStep]:
    return [s for s in STEPS if s.source == phase]


def get_step(source: str, target: str) -> PhaseStep | None:
    return TABLE.get((source, target))


def phase_label(value: str) -> str:
    return str(Phase(value).label) if value in Phase.values else value

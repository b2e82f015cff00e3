"""Labels of choice fields: the one shown is translated into the active language."""

from __future__ import annotations

from django.apps import apps
from django.utils import translation

from ksf.core.choices import ChoiceLabels
from ksf.needs.models import Need, ServiceArea
from ksf.needs.workflow import Status


def test_the_label_follows_the_active_language_and_an_unknown_value_is_shown_as_stored():
    need = Need(status=Status.CLUSTER_REVIEW, service_area=ServiceArea.NURSING_HOME)
    with translation.override("nb"):
        bokmal = need.get_status_display()
        assert bokmal == str(Status.CLUSTER_REVIEW.label)
        assert need.get_service_area_display() == "Sykehjem"
    with translation.override("en"):
        english = need.get_status_display()
        assert need.get_service_area_display() == "Nursing homes"
    assert bokmal != english
    need.status = "ukjent"
    assert need.get_status_display() == "ukjent"


def test_every_model_with_choices_translates_only_the_label_it_shows():
    missing = [
        model.__name__ for model in apps.get_models()
        if model.__module__.startswith("ksf.") and any(f.choices for f in model._meta.fields)
        and not issubclass(model, ChoiceLabels)
    ]
    assert missing == []

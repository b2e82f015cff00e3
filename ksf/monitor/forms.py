"""The statistics filter as a GET form; the page, the downloads and the API all parse it here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ksf.needs.models import ServiceArea
from ksf.organisations.models import HealthRegion, Organisation, OrgKind

from .stats import StatsFilter

FIRST_YEAR = 2000


class StatsFilterForm(forms.Form):
    """Fields: from, to (YYYY-MM-DD), region (code), cluster (id), service_area, municipality (number)."""

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        date_widget = forms.DateInput(attrs={"type": "date", "class": "ds-input"}, format="%Y-%m-%d")
        select = {"class": "ds-input"}
        self.fields["from"] = forms.DateField(label=_("Fra og med"), required=False, widget=date_widget,
                                              error_messages={"invalid": _("Skriv datoen som ÅÅÅÅ-MM-DD.")})
        self.fields["to"] = forms.DateField(label=_("Til og med"), required=False, widget=date_widget,
                                            error_messages={"invalid": _("Skriv datoen som ÅÅÅÅ-MM-DD.")})
        self.fields["region"] = forms.ChoiceField(
            label=_("Helseregion"), required=False, widget=forms.Select(attrs=select),
            choices=[("", _("Alle helseregioner"))] + [(r.code, r.name) for r in HealthRegion.objects.order_by("name")],
            error_messages={"invalid_choice": _("Ukjent helseregion.")},
        )
        self.fields["cluster"] = forms.TypedChoiceField(
            label=_("Kommuneklynge"), required=False, coerce=int, empty_value=None, widget=forms.Select(attrs=select),
            choices=[("", _("Alle klynger"))]
            + [(str(pk), name) for pk, name in Organisation.objects.filter(kind=OrgKind.CLUSTER).order_by("name").values_list("pk", "name")],
            error_messages={"invalid_choice": _("Ukjent kommuneklynge.")},
        )
        self.fields["service_area"] = forms.ChoiceField(
            label=_("Tjenesteområde"), required=False, widget=forms.Select(attrs=select),
            choices=[("", _("Alle tjenesteområder")), *ServiceArea.choices],
            error_messages={"invalid_choice": _("Ukjent tjenesteområde.")},
        )
        self.fields["municipality"] = forms.CharField(
            label=_("Kommunenummer"), required=False, max_length=4, widget=forms.HiddenInput,
        )

    def _clean_day(self, name: str) -> dt.date | None:
        value = self.cleaned_data.get(name)
        if value and not (FIRST_YEAR <= value.year <= 2100):
            raise forms.ValidationError(_("Velg en dato mellom år %(a)s og 2100.") % {"a": FIRST_YEAR})
        return value

    def clean_municipality(self) -> str:
        value = (self.cleaned_data.get("municipality") or "").strip()
        if value and not Organisation.objects.filter(kind=OrgKind.MUNICIPALITY, municipality_number=value).exists():
            raise forms.ValidationError(_("Ukjent kommunenummer «%(n)s».") % {"n": value[:4]})
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("from", "to"):
            if name in data:
                try:
                    data[name] = self._clean_day(name)
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        start, end = data.get("from"), data.get("to")
        if start and end and start > end:
            self.add_error("to", _("«Til og med» kan ikke være før «fra og med»."))
        return data

    def to_filter(self) -> StatsFilter:
        """The filter from the valid fields (invalid ones are left out and shown as errors)."""
        if not self.is_bound:
            return StatsFilter()
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return StatsFilter(
            date_from=data.get("from"),
            date_to=data.get("to"),
            region=data.get("region") or "",
            cluster=data.get("cluster") or None,
            service_area=data.get("service_area") or "",
            municipality=data.get("municipality") or "",
        )


def filter_from_params(params: Any) -> tuple[StatsFilter, StatsFilterForm]:
    form = StatsFilterForm(params if any(params.get(k) for k in ("from", "to", "region", "cluster", "service_area", "municipality")) else None)
    return form.to_filter(), form

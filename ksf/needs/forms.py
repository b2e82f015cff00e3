"""Forms for the need pages. They collect input; validation that matters lives in the services."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ksf.organisations.models import Organisation, OrgKind

from .models import Need, NeedKind, ServiceArea, Urgency

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def _text(label: StrOrPromise, *, max_length: int, required: bool = False, rows: int = 0, help_text: StrOrPromise = "") -> forms.CharField:
    widget: forms.Widget = (
        forms.Textarea(attrs={"class": "ds-input", "rows": rows}) if rows else forms.TextInput(attrs={"class": "ds-input"})
    )
    # The max length is checked by the service (with a Norwegian message); the browser gets a hint only.
    widget.attrs["maxlength"] = str(max_length)
    return forms.CharField(label=label, required=required, help_text=help_text, widget=widget, strip=True)


class NeedForm(forms.Form):
    """The guided registration form (also used to edit a draft or answer a clarification)."""

    kind = forms.ChoiceField(
        label=_("Hva slags behov er det?"),
        choices=NeedKind.choices,
        initial=NeedKind.KNOWLEDGE,
        widget=forms.RadioSelect,
        help_text=_("Kunnskapsbehov: vi trenger å vite hva som virker. Innovasjonsbehov: vi trenger en ny løsning eller et nytt produkt."),
    )
    title = _text(_("Kort tittel"), max_length=200, required=True, help_text=_("Én setning som sier hva behovet gjelder."))
    question = _text(
        _("Spørsmålet med egne ord"), max_length=4000, required=True, rows=5,
        help_text=_("Hva lurer dere på i tjenesten? Ikke skriv navn eller andre opplysninger om pasienter eller brukere."),
    )
    population = _text(_("Hvem gjelder det? (P – populasjon)"), max_length=500)
    intervention = _text(_("Hvilket tiltak? (I – tiltak)"), max_length=500)
    comparison = _text(_("Sammenlignet med hva? (C – sammenligning)"), max_length=500)
    outcome = _text(_("Hvilket resultat er viktig? (O – utfall)"), max_length=500)
    service_area = forms.ChoiceField(
        label=_("Tjenesteområde"),
        choices=[("", _("Velg tjenesteområde"))] + list(ServiceArea.choices),
        widget=forms.Select(attrs={"class": "ds-input"}),
    )
    target_group = _text(_("Målgruppe"), max_length=300)
    why_it_matters = _text(_("Hvorfor er dette viktig hos dere?"), max_length=4000, rows=4)
    urgency = forms.ChoiceField(
        label=_("Hastegrad"), choices=Urgency.choices, initial=Urgency.MEDIUM,
        widget=forms.Select(attrs={"class": "ds-input"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("service_area",):
            self.fields[name].error_messages["required"] = _("Velg et tjenesteområde.")
        self.fields["title"].error_messages["required"] = _("Skriv en tittel.")
        self.fields["question"].error_messages["required"] = _("Skriv spørsmålet med egne ord.")
        for field in self.fields.values():
            field.error_messages["invalid_choice"] = _("Velg et av alternativene i listen.")

    @classmethod
    def initial_from(cls, need: Need) -> dict[str, Any]:
        return {name: getattr(need, name) for name in cls.base_fields}


class TransitionForm(forms.Form):
    """All the things a transition may require; the template shows only what the table asks for."""

    to = forms.CharField(widget=forms.HiddenInput)
    reason = _text(_("Begrunnelse"), max_length=4000, rows=3)
    answer = _text(_("Svar i klarspråk"), max_length=20000, rows=6)
    target = forms.CharField(
        label=_("Slå sammen med (behovsnummer)"), required=False, max_length=20,
        widget=forms.TextInput(attrs={"class": "ds-input", "placeholder": "KB-2026-0001"}),
    )
    partner = forms.ModelChoiceField(
        label=_("Forskningspartner"), required=False, queryset=Organisation.objects.none(),
        widget=forms.Select(attrs={"class": "ds-input"}),
    )
    due = forms.DateField(
        label=_("Frist"), required=False, widget=forms.DateInput(attrs={"class": "ds-input", "type": "date"}),
        error_messages={"invalid": _("Skriv datoen som åååå-mm-dd.")},
    )
    project_ref = _text(_("Prosjekt (navn eller lenke)"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        partner_field = self.fields["partner"]
        assert isinstance(partner_field, forms.ModelChoiceField)
        partner_field.queryset = Organisation.objects.filter(kind=OrgKind.RESEARCH_PARTNER, is_active=True).order_by("name")
        partner_field.error_messages["invalid_choice"] = _("Velg en forskningspartner fra listen.")

    def target_need(self) -> Need | None:
        public_id = (self.cleaned_data.get("target") or "").strip().upper()
        if not public_id:
            return None
        need = Need.objects.filter(public_id=public_id).first()
        if need is None:
            raise ValidationError({"target": _("Fant ikke behovet %(id)s.") % {"id": public_id}})
        return need


class CommentForm(forms.Form):
    text = _text(_("Kommentar"), max_length=4000, required=True, rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].error_messages["required"] = _("Skriv en kommentar.")


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the right fields (unknown keys become form-wide errors)."""
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            form.add_error(key if key in form.fields else None, messages)
    else:
        form.add_error(None, exc.messages)

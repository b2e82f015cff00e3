"""Forms for joint procurement. They collect input; services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ksf.needs.models import Need, NeedKind
from ksf.organisations.models import Organisation

from . import access
from .models import CostRange
from .phases import Phase, PhaseStep


def _style(form: forms.BaseForm) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "ds-input")


def apply_service_errors(form: forms.BaseForm, exc: ValidationError) -> None:
    """Show a service's ValidationError on the right fields (others at the top of the form)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            for message in errors:
                form.add_error(name if name in form.fields else None, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def innovation_needs() -> QuerySet[Need]:
    return Need.objects.filter(kind=NeedKind.INNOVATION, published_at__isnull=False).select_related("municipality").order_by("-published_at")


class NeedChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.public_id} – {obj.title} ({obj.municipality.name})"


class SupplierSignupForm(forms.Form):
    organisation_name = forms.CharField(label=_("Virksomhetens navn"), max_length=200)
    org_number = forms.CharField(
        label=_("Organisasjonsnummer"), max_length=20,
        help_text=_("9 siffer fra Enhetsregisteret, for eksempel 974 760 673."),
    )
    full_name = forms.CharField(label=_("Ditt navn"), max_length=200, required=False)
    username = forms.CharField(label=_("Brukernavn"), max_length=150)
    email = forms.EmailField(label=_("E-post"), max_length=254, help_text=_("Vises ikke offentlig."))
    password1 = forms.CharField(label=_("Passord"), widget=forms.PasswordInput, help_text=_("Minst 10 tegn."))
    password2 = forms.CharField(label=_("Gjenta passordet"), widget=forms.PasswordInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["org_number"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "off"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["password1"].widget.attrs["autocomplete"] = "new-password"
        self.fields["password2"].widget.attrs["autocomplete"] = "new-password"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", _("Passordene er ikke like."))
        return data


class InitiativeForm(forms.Form):
    title = forms.CharField(label=_("Tittel"), max_length=200)
    description = forms.CharField(
        label=_("Beskrivelse av behovet"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Beskriv behovet og ønsket effekt, ikke en bestemt løsning."),
    )
    lead = forms.ModelChoiceField(label=_("Ansvarlig virksomhet"), queryset=Organisation.objects.none())
    needs = NeedChoiceField(
        label=_("Innovasjonsbehov som samles"), queryset=Need.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    participants = forms.ModelMultipleChoiceField(
        label=_("Deltakende kommuner og helseforetak"), queryset=Organisation.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Andre kan be om å bli med senere."),
    )
    volume_text = forms.CharField(label=_("Anslått volum"), max_length=500, required=False)
    volume_number = forms.IntegerField(label=_("Antall"), min_value=0, required=False)
    volume_unit = forms.CharField(label=_("Enhet (for eksempel brukere, sensorer, sykehjemsplasser)"), max_length=50, required=False)
    publish = forms.BooleanField(label=_("Publiser nå (synlig for alle, også leverandører)"), required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = access.acting_orgs(user)  # type: ignore[attr-defined]
        self.fields["needs"].queryset = innovation_needs()  # type: ignore[attr-defined]
        self.fields["participants"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind__in=access.PARTICIPANT_KINDS, is_active=True
        ).order_by("kind", "name")
        _style(self)


class InitiativeEditForm(forms.Form):
    title = forms.CharField(label=_("Tittel"), max_length=200)
    description = forms.CharField(label=_("Beskrivelse av behovet"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6}))
    needs = NeedChoiceField(
        label=_("Innovasjonsbehov som samles"), queryset=Need.objects.none(), required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    volume_text = forms.CharField(label=_("Anslått volum"), max_length=500, required=False)
    volume_number = forms.IntegerField(label=_("Antall"), min_value=0, required=False)
    volume_unit = forms.CharField(label=_("Enhet"), max_length=50, required=False)
    dialogue_open = forms.BooleanField(label=_("Markedsdialogen er åpen for spørsmål"), required=False)
    dialogue_deadline = forms.DateField(
        label=_("Frist for spørsmål"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["needs"].queryset = innovation_needs()  # type: ignore[attr-defined]
        _style(self)


class PhasePlanForm(forms.Form):
    """Planned start and end per phase: fields start_<phase> and end_<phase>."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for phase, label in Phase.choices:
            self.fields[f"start_{phase}"] = forms.DateField(
                label=_("%(phase)s: start") % {"phase": label}, required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
            self.fields[f"end_{phase}"] = forms.DateField(
                label=_("%(phase)s: slutt") % {"phase": label}, required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
            )
        _style(self)

    def plans(self) -> dict[str, tuple[Any, Any]]:
        return {p: (self.cleaned_data.get(f"start_{p}"), self.cleaned_data.get(f"end_{p}")) for p in Phase.values}


class PhaseChangeForm(forms.Form):
    to = forms.ChoiceField(label=_("Ny fase"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Merknad"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Påkrevd når anskaffelsen går tilbake til en tidligere fase. Vises offentlig."),
    )

    def __init__(self, *args: Any, steps: list[PhaseStep], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(s.target, s.label) for s in steps]  # type: ignore[attr-defined]
        self.fields["note"].widget.attrs["class"] = "ds-input"


class DocumentForm(forms.Form):
    phase = forms.ChoiceField(label=_("Fase"), choices=Phase.choices)
    title = forms.CharField(label=_("Tittel"), max_length=200)
    url = forms.CharField(label=_("Lenke"), max_length=500, help_text=_("Adressen til dokumentet, for eksempel https://…"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)
        self.fields["url"].widget.input_type = "url"  # type: ignore[attr-defined]


class JoinRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Virksomhet som vil delta"), queryset=Organisation.objects.none())
    message = forms.CharField(label=_("Melding til ansvarlig virksomhet"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        _style(self)


class JoinDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", _("Godta")), ("decline", _("Avslå"))])
    note = forms.CharField(label=_("Begrunnelse"), max_length=2000, required=False)


class InterestForm(forms.Form):
    contact_role = forms.CharField(
        label=_("Kontaktpersonens rolle"), max_length=200, required=False,
        help_text=_("For eksempel «salgsansvarlig» eller «produktsjef». Vises bare for deltakerne."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class QuestionForm(forms.Form):
    text = forms.CharField(
        label=_("Spørsmål"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Spørsmålet og svaret publiseres for alle leverandører, uten navnet på virksomheten din."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Svar"), max_length=8000, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ExperienceReportForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Virksomhet"), queryset=Organisation.objects.none())
    title = forms.CharField(label=_("Tittel"), max_length=200)
    what_procured = forms.CharField(label=_("Hva ble anskaffet"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}))
    cost_range = forms.ChoiceField(label=_("Kostnad"), choices=CostRange.choices, initial=CostRange.UNKNOWN)
    effects = forms.CharField(label=_("Effekter som er målt"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5}))
    lessons = forms.CharField(label=_("Hva ville dere gjort annerledes?"), max_length=8000, widget=forms.Textarea(attrs={"rows": 5}))
    publish = forms.BooleanField(label=_("Publiser rapporten nå"), required=False, initial=True)

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations  # type: ignore[attr-defined]
        _style(self)

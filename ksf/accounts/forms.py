from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .models import User


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Feil brukernavn eller passord. Merk at feltene skiller mellom store og små bokstaver."),
        "inactive": _("Denne kontoen er deaktivert."),
    }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["username"].label = _("Brukernavn")
        self.fields["password"].label = _("Passord")
        for field in self.fields.values():
            field.widget.attrs["class"] = "ds-input"


class LanguageForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["language"]
        labels = {"language": _("Foretrukket språk")}
        help_texts = {"language": _("Tomt betyr at språket følger kommunens målform.")}
        widgets = {"language": forms.Select(attrs={"class": "ds-input"})}

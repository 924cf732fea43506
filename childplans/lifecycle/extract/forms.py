"""The registerutdrag's forms: whom it is for (the child or a named guardian); the
administrator's also the plan's number and the request's diarienummer."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from childplans.models import Guardian
from portal import bounds
from portal.forms import IdChoiceField
from portal.queries import parse_id

# A case number as registrators write them: "SN 2026/123", "KS-2026.0042", "BOU 2026:17".
DIARIENUMMER = re.compile(r"[\w .:/-]+")

RECIPIENTS = (("child", _("Barnet")), ("guardian", _("En vårdnadshavare")))


class RecipientForm(forms.Form):
    recipient = forms.ChoiceField(label=_("Utdraget är till"), choices=RECIPIENTS, widget=forms.RadioSelect, initial="child")
    guardian = IdChoiceField(
        label=_("Vårdnadshavare"), queryset=Guardian.objects.none(), required=False,
        help_text=_("Vilken vårdnadshavare som har begärt utdraget."),
    )

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = Guardian.objects.filter(child=child)

    def clean(self):
        data = super().clean()
        if data.get("recipient") == "guardian" and not data.get("guardian"):
            self.add_error("guardian", _("Välj vårdnadshavaren som utdraget är till."))
        return data


class AdministratorForm(forms.Form):
    plan_number = forms.CharField(
        label=_("Planens nummer"), max_length=20, help_text=_("Numret som står på planen, t.ex. 12."),
    )
    diarienummer = forms.CharField(
        label=_("Diarienummer för begäran"), max_length=100,
        help_text=_("Numret begäran om registerutdrag är registrerad med."),
    )
    recipient = forms.ChoiceField(label=_("Utdraget är till"), choices=RECIPIENTS, widget=forms.RadioSelect, initial="child")
    guardian_name = forms.CharField(
        label=_("Vårdnadshavarens namn"), max_length=200, required=False,
        help_text=_("Om utdraget är till en vårdnadshavare."),
    )

    def clean_plan_number(self):
        pk = parse_id(self.cleaned_data["plan_number"].strip())
        if pk is None:
            raise forms.ValidationError(_("Ange planens nummer med siffror."), code="invalid")
        return pk

    def clean_diarienummer(self):
        value = self.cleaned_data["diarienummer"].strip()
        if not DIARIENUMMER.fullmatch(value) or len(value) > bounds.NOTE:
            raise forms.ValidationError(
                _("Ange diarienumret med bokstäver, siffror, mellanslag och tecknen . : / -"), code="invalid"
            )
        return value

    def clean(self):
        data = super().clean()
        if data.get("recipient") == "guardian" and not (data.get("guardian_name") or "").strip():
            self.add_error("guardian_name", _("Skriv namnet på vårdnadshavaren som utdraget är till."))
        return data

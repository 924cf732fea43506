from django import forms
from django.utils.translation import gettext_lazy as _

from portal import bounds

from .models import LegalHold


class HoldSetForm(forms.Form):
    reason_category = forms.ChoiceField(label=_("Skäl"), choices=LegalHold.Reason.choices)
    reason = forms.CharField(
        label=_("Motivering"), max_length=bounds.NOTE, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("T.ex. vilken begäran, utredning eller vilket mål det gäller. Inga uppgifter om barnet."),
    )


class HoldLiftForm(forms.Form):
    reason = forms.CharField(
        label=_("Skäl att häva spärren"), max_length=bounds.NOTE, widget=forms.Textarea(attrs={"rows": 3})
    )

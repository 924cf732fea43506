from django import forms
from django.utils.translation import gettext_lazy as _

from networks.models import OrganisationMembership
from portal import notices
from portal.forms import ModelForm
from portal.models import User


class ProfileForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = User
        fields = ["first_name", "last_name", "phone"]
        labels = {"first_name": _("Förnamn"), "last_name": _("Efternamn"), "phone": _("Telefon")}

    def clean_first_name(self):
        value = self.cleaned_data["first_name"].strip()
        if not value:
            raise forms.ValidationError(_("Skriv ditt förnamn."))
        return value

    def clean_last_name(self):
        value = self.cleaned_data["last_name"].strip()
        if not value:
            raise forms.ValidationError(_("Skriv ditt efternamn."))
        return value


TitleFormSet = forms.modelformset_factory(
    OrganisationMembership, form=ModelForm, fields=["title"], extra=0, labels={"title": _("Titel")}
)


WEEKDAYS = [
    (0, _("måndag")), (1, _("tisdag")), (2, _("onsdag")), (3, _("torsdag")), (4, _("fredag")), (5, _("lördag")),
    (6, _("söndag")),
]


class NoticeSettingsForm(forms.Form):
    """Mina aviseringar: per kind of event, the daily or weekly digest or at once; when digests go."""

    hour = forms.TypedChoiceField(
        label=_("Sammandraget kommer klockan"), coerce=int,
        choices=[(h, f"{h:02d}.00") for h in range(24)],
    )
    weekday = forms.TypedChoiceField(label=_("Veckosammandraget kommer på"), coerce=int, choices=WEEKDAYS)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        chosen = notices.preferences(user)
        for category, label in notices.Category.choices:
            self.fields[f"notice_{category}"] = forms.ChoiceField(
                label=label, choices=notices.Frequency.choices, widget=forms.RadioSelect,
                initial=chosen[category],
            )
        self.fields["hour"].initial = notices.digest_hour(user)
        self.fields["weekday"].initial = notices.digest_weekday(user)
        self.order_fields([f"notice_{c}" for c in notices.Category.values] + ["hour", "weekday"])

    def choices(self):
        return {c: self.cleaned_data[f"notice_{c}"] for c in notices.Category.values}

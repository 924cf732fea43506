from django import forms
from django.utils.translation import gettext_lazy as _

from networks.models import OrganisationMembership
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

"""Forms for Verksamhetskatalogen: the search form (GET) and the activity form."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.forms import IdField, ModelForm

from .directory import kommun_choices
from .models import Activity, Organisation
from .widgets import FastSelect


class ActivitySearchForm(forms.Form):
    q = forms.CharField(
        label=_("Sökord"),
        required=False,
        max_length=200,
        help_text=_("T.ex. läxhjälp, föräldrastöd eller mötesplats. Alla ord måste finnas med."),
    )
    kommun = forms.TypedChoiceField(
        label=_("Kommun"), required=False, coerce=int, empty_value=None, widget=FastSelect
    )
    category = forms.ChoiceField(
        label=_("Kategori"),
        required=False,
        choices=[("", _("Alla kategorier")), *Activity.Category.choices],
    )
    organisation_kind = forms.ChoiceField(
        label=_("Sorts organisation"),
        required=False,
        choices=[("", _("Alla sorters organisationer")), *Organisation.Kind.choices],
    )
    age = forms.IntegerField(
        label=_("Barnets ålder"),
        required=False,
        min_value=0,
        max_value=25,
        help_text=_("Visa verksamheter som passar en viss ålder."),
    )
    organisation = IdField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kommun"].choices = kommun_choices(_("Alla kommuner"))

    def clean(self):
        cleaned = super().clean()
        if "organisation" in self.errors:
            # A hidden field (set by a link from an organisation's page): its message is said on
            # top of the form, where it shows.
            self.add_error(None, _("Organisationen i adressen finns inte. Sökningen gäller alla organisationer."))
        return cleaned

    def search_arguments(self):
        """Keyword arguments for ``search_activities``; a field with bad input is left out (and
        its message shown next to it)."""
        data = {}
        if self.is_bound:
            self.is_valid()
            data = self.cleaned_data  # the fields that are valid; a bad one is left out
        return {
            "q": data.get("q", ""),
            "kommun": data.get("kommun"),
            "category": data.get("category", ""),
            "organisation_kind": data.get("organisation_kind", ""),
            "age": data.get("age"),
            "organisation": data.get("organisation"),
        }


class ActivityForm(ModelForm):
    """Publish or change an activity. ``organisations`` is what the user may choose among."""

    class Meta(ModelForm.Meta):
        model = Activity
        fields = [
            "organisation",
            "title",
            "description",
            "category",
            "age_from",
            "age_to",
            "kommun",
            "when",
            "where",
            "contact",
            "how_to_refer",
            "cost",
            "getting_there",
            "family_contact",
            "notify_email",
            "public",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 5}),
            "how_to_refer": forms.Textarea(attrs={"rows": 3}),
            "getting_there": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "kommun": _("Lämnas tom: organisationens kommun."),
            "age_from": _("Lämna tomt om verksamheten inte har någon nedre åldersgräns."),
            "age_to": _("Lämna tomt om verksamheten inte har någon övre åldersgräns."),
        }
        error_messages = {
            "title": {"required": _("Skriv en rubrik.")},
            "description": {"required": _("Beskriv verksamheten.")},
            "category": {"required": _("Välj en kategori.")},
            "contact": {"required": _("Ange hur man kommer i kontakt med verksamheten.")},
            "notify_email": {"invalid": _("Skriv en giltig e-postadress.")},
            "organisation": {
                "required": _("Välj organisation."),
                "invalid_choice": _("Välj en av dina organisationer."),
            },
        }

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        kommun_field = self.fields["kommun"]
        kommun_field.required = False
        kommun_field.choices = kommun_choices("---------")

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        if not cleaned.get("kommun") and "kommun" not in self.errors:
            if organisation is not None and organisation.kommun_id:
                cleaned["kommun"] = organisation.kommun
            elif organisation is not None:
                self.add_error(
                    "kommun",
                    _("Organisationen hör inte till en kommun. Välj var verksamheten finns."),
                )
            else:
                self.add_error("kommun", _("Välj kommun."))
        # age_to >= age_from is checked by Activity.clean (message on "ålder till").
        return cleaned

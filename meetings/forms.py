"""Forms for meeting pages. Times are entered in Europe/Stockholm (the site's time zone)."""

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.models import Organisation
from portal import bounds
from portal.forms import IdChoiceField, IdListField, IdMultipleChoiceField, ModelForm

from .models import Attendance, Invitation, Meeting, NetworkMeetingDefaults, Topic
from .services import parse_guests


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MeetingForm(ModelForm):
    video_url = forms.URLField(
        label=_("Videolänk"), required=False, assume_scheme="https", max_length=200,
        help_text=_("T.ex. en länk till Teams eller Zoom."),
    )
    topics = IdMultipleChoiceField(
        label=_("Ämnen"),
        queryset=Topic.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta(ModelForm.Meta):
        model = Meeting
        fields = [
            "title", "kind", "topics", "starts_at", "ends_at", "place", "video_url", "description",
            "rsvp_deadline", "capacity", "cost_note", "remind_unanswered_days", "remind_attending_days",
        ]
        widgets = {
            "starts_at": DateTimeInput(),
            "ends_at": DateTimeInput(),
            "rsvp_deadline": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "cost_note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {
            "starts_at": _("Svensk tid."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["topics"].queryset = Topic.objects.filter(is_active=True) | Topic.objects.filter(
                meetings=self.instance
            )

    def service_fields(self):
        data = {k: v for k, v in self.cleaned_data.items() if k != "topics"}
        return data, list(self.cleaned_data.get("topics") or [])


class MeetingDefaultsForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = NetworkMeetingDefaults
        fields = ["remind_unanswered_days", "remind_attending_days", "cost_note"]
        widgets = {"cost_note": forms.Textarea(attrs={"rows": 2})}


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Punkt"), max_length=200, required=False)
    responsible = IdChoiceField(label=_("Ansvarig"), queryset=None, required=False)
    responsible_name = forms.CharField(label=_("Ansvarig (om inte medlem)"), max_length=200, required=False)
    duration_minutes = forms.IntegerField(label=_("Minuter"), min_value=1, max_value=600, required=False)

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = people

    def clean(self):
        data = super().clean()
        if not data.get("title") and (data.get("responsible") or data.get("responsible_name") or data.get("duration_minutes")):
            self.add_error("title", _("Skriv vad punkten handlar om."))
        return data


AgendaFormSet = forms.formset_factory(AgendaItemForm, extra=3, max_num=40, validate_max=True)


class InviteForm(forms.Form):
    include_regional = forms.BooleanField(label=_("Bjud också in det regionala nätverkets medlemmar"), required=False)
    include_local = forms.BooleanField(label=_("Bjud också in de lokala nätverkens medlemmar"), required=False)
    guests = forms.CharField(
        label=_("Gäster"),
        required=False,
        max_length=bounds.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("En per rad: e-postadress; namn; organisation. Namn och organisation kan utelämnas."),
    )

    def __init__(self, *args, network=None, **kwargs):
        super().__init__(*args, **kwargs)
        if network is None or not network.parent_id:
            del self.fields["include_regional"]
        if network is None or network.kind != network.Kind.REGIONAL:
            del self.fields["include_local"]

    def clean_guests(self):
        try:
            return parse_guests(self.cleaned_data.get("guests", ""))
        except forms.ValidationError as exc:
            raise forms.ValidationError(exc.message_dict["guests"]) from None


class AnswersFilterForm(forms.Form):
    """The answers page's filter (GET): which answer, and words in a name or an address. A bad
    value is not used; the search's message shows next to its field."""

    svar = forms.ChoiceField(required=False, choices=[("", _("Alla")), *Invitation.Response.choices])
    q = forms.CharField(required=False, max_length=100)

    def filters(self):
        """(answer, search): each "" unless given and valid."""
        self.is_valid()
        return self.cleaned_data.get("svar", ""), self.cleaned_data.get("q", "")


class InviteesForm(forms.Form):
    """The candidates ticked on the invitation page (checkboxes the page renders itself)."""

    invitee = IdListField(required=False)


class PresentForm(forms.Form):
    """The invitees ticked as present on the attendance page."""

    present = IdListField(required=False)


class AnswerForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Svar"),
        choices=[(Invitation.Response.YES, _("Jag kommer")), (Invitation.Response.NO, _("Jag kan inte komma"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Behov, t.ex. kost eller tillgänglighet"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    decline_reason = forms.CharField(
        label=_("Om du inte kan komma: varför? (frivilligt)"), max_length=500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=200)
    email = forms.EmailField(label=_("E-postadress"), max_length=254, required=False)
    organisation = IdChoiceField(label=_("Organisation"), queryset=Organisation.objects.none(), required=False)
    organisation_name = forms.CharField(
        label=_("Annan organisation"), max_length=200, required=False,
        help_text=_("Om organisationen inte finns i listan."),
    )

    def __init__(self, *args, network=None, **kwargs):
        super().__init__(*args, **kwargs)
        if network is not None:
            self.fields["organisation"].queryset = network.organisations.select_related("kommun").order_by("name")


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Minnesanteckningar"), max_length=bounds.LONG_TEXT,
                           widget=forms.Textarea(attrs={"rows": 12}))
    follow_ups = forms.CharField(
        label=_("Att göra till nästa gång"), required=False, max_length=bounds.TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


# --- the attendance register and the network's year (issue 21) ----------------------------------


class RegisterForm(forms.Form):
    """One choice per invitee of the register (``status_<invitation id>``)."""

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.entries = [e for e in entries if e.invitation is not None]
        for e in self.entries:
            name = f"status_{e.invitation.pk}"
            self.fields[name] = forms.ChoiceField(
                label=e.name, choices=Attendance.Status.choices, initial=e.status, widget=forms.RadioSelect,
                error_messages={"required": _("Välj en närvaro för %(name)s.") % {"name": e.name},
                                "invalid_choice": _("Välj närvarande, frånvarande med förhinder eller frånvarande.")},
            )
            e.field_name = name

    def rows(self):
        return [(e, self[e.field_name]) for e in self.entries]

    def statuses(self):
        return {e.invitation.pk: self.cleaned_data[e.field_name] for e in self.entries}


class YearForm(forms.Form):
    """The year of the network's attendance report (GET ``?ar=``)."""

    ar = forms.IntegerField(
        label=_("År"), min_value=2000, max_value=2100,  # narrowed to the report's years in __init__
        error_messages={"invalid": _("Ange ett år med fyra siffror, t.ex. 2026."),
                        "required": _("Ange ett år med fyra siffror, t.ex. 2026.")},
    )

    def __init__(self, *args, today=None, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = (today or timezone.localdate()).year
        first = settings.MEETING_REPORT_FIRST_YEAR
        message = _("Välj ett år från %(first)s till %(last)s.") % {"first": first, "last": this_year}
        field = self.fields["ar"]
        field.min_value, field.max_value = first, this_year
        field.validators = [
            v for v in field.validators if not isinstance(v, (MinValueValidator, MaxValueValidator))
        ] + [MinValueValidator(first, message), MaxValueValidator(this_year, message)]
        field.widget.attrs.update(min=first, max=this_year)
        self.this_year = this_year

    def year(self):
        """The year asked for, the current one when none is given; None when it is not valid."""
        if not self.is_bound or not self.data.get("ar"):
            return self.this_year
        return self.cleaned_data["ar"] if self.is_valid() else None

"""Forms for meeting series (issue 21). Times are Europe/Stockholm; the dates' bounds are
meetings/recurrence.py's, shown next to the field that caused them."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import bounds
from portal.forms import IdChoiceField, IdMultipleChoiceField
from portal.validators import DateWithin

from . import recurrence
from .forms import DateInput
from .models import Invitation, Meeting, Topic
from .series import SCOPE_ALL, SCOPE_FOLLOWING, SCOPE_ONE


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _add_errors(form, exc):
    for field, messages in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, messages)


class _SeriesTexts(forms.Form):
    title = forms.CharField(label=_("Rubrik"), max_length=200)
    kind = forms.ChoiceField(label=_("Sort"), choices=Meeting.Kind.choices, initial=Meeting.Kind.NETWORK)
    place = forms.CharField(label=_("Plats (adress)"), max_length=300, required=False)
    video_url = forms.URLField(label=_("Videolänk"), required=False, assume_scheme="https", max_length=200)
    description = forms.CharField(
        label=_("Beskrivning"), required=False, max_length=bounds.TEXT, widget=forms.Textarea(attrs={"rows": 3})
    )
    start_time = forms.TimeField(label=_("Börjar klockan"), widget=TimeInput(), help_text=_("Svensk tid."))
    end_time = forms.TimeField(label=_("Slutar klockan"), widget=TimeInput())

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("Mötet måste sluta efter att det börjar (samma dag)."))
        if not data.get("place") and not data.get("video_url") and "place" not in self.errors:
            self.add_error("place", _("Ange en plats, en videolänk eller båda."))
        return data


class SeriesForm(_SeriesTexts):
    """Plan a series: the meetings' texts, their time of day, and their dates by a rule or
    picked one by one."""

    MODE_RULE = "rule"
    MODE_DATES = "dates"

    topics = IdMultipleChoiceField(
        label=_("Ämnen"), queryset=Topic.objects.filter(is_active=True), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    agenda = forms.CharField(
        label=_("Dagordning för varje möte"), required=False, max_length=bounds.TEXT,
        widget=forms.Textarea(attrs={"rows": 4}), help_text=_("En punkt per rad."),
    )
    mode = forms.ChoiceField(
        label=_("Datum"), widget=forms.RadioSelect, initial=MODE_RULE,
        choices=[(MODE_RULE, _("Enligt en regel")), (MODE_DATES, _("Datum som jag väljer"))],
    )
    ordinal = forms.ChoiceField(label=_("Vilken i månaden"), choices=recurrence.ORDINALS, required=False)
    weekday = forms.ChoiceField(label=_("Veckodag"), choices=recurrence.WEEKDAYS, required=False)
    months = forms.MultipleChoiceField(
        label=_("Månader"), choices=recurrence.MONTHS, required=False, widget=forms.CheckboxSelectMultiple
    )
    first_day = forms.DateField(
        label=_("Från och med"), required=False, widget=DateInput(), validators=[DateWithin("meeting")]
    )
    last_day = forms.DateField(
        label=_("Till och med"), required=False, widget=DateInput(), validators=[DateWithin("meeting")]
    )
    dates = forms.CharField(
        label=_("Valda datum"), required=False, max_length=bounds.NOTE, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ett datum per rad, ÅÅÅÅ-MM-DD."),
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if not start or not end or end <= start:
            return data
        try:
            if data.get("mode") == self.MODE_DATES:
                data["starts"] = recurrence.expand_dates(recurrence.parse_dates(data.get("dates")), start_time=start)
                data["rrule"] = ""
            elif data.get("mode") == self.MODE_RULE:
                missing = [f for f in ("first_day", "last_day") if not data.get(f) and f not in self.errors]
                for name in missing:
                    self.add_error(name, _("Ange ett datum."))
                if missing or "first_day" in self.errors or "last_day" in self.errors:
                    return data
                rule = recurrence.rule_for(
                    ordinal=data.get("ordinal"), weekday=data.get("weekday"), months=data.get("months") or []
                )
                data["starts"], data["rrule"] = recurrence.expand_rule(
                    rule, first_day=data["first_day"], last_day=data["last_day"], start_time=start
                )
        except ValidationError as exc:
            _add_errors(self, exc)
            return data
        data["length_minutes"] = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        return data

    def service_fields(self):
        d = self.cleaned_data
        return {
            "title": d["title"], "kind": d["kind"], "place": d["place"], "video_url": d["video_url"],
            "description": d["description"], "agenda": d["agenda"], "topics": list(d.get("topics") or []),
            "starts": d["starts"], "rrule": d["rrule"], "length_minutes": d["length_minutes"],
        }


class SeriesEditForm(_SeriesTexts):
    """Change the series: which meetings (this one, this and the following, all coming), and
    the new texts and time of day."""

    meeting = IdChoiceField(label=_("Från mötet"), queryset=Meeting.objects.none())
    scope = forms.ChoiceField(
        label=_("Ändringen gäller"), widget=forms.RadioSelect, initial=SCOPE_ALL,
        choices=[(SCOPE_ONE, _("Bara detta möte")), (SCOPE_FOLLOWING, _("Detta och följande")),
                 (SCOPE_ALL, _("Alla kommande möten"))],
    )

    field_order = ["meeting", "scope"]

    def __init__(self, *args, meetings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings if meetings is not None else Meeting.objects.none()
        self.fields["meeting"].label_from_instance = lambda m: f"{m.local_start:%Y-%m-%d %H.%M}"


class SeriesInviteForm(forms.Form):
    include_regional = forms.BooleanField(label=_("Bjud också in det regionala nätverkets medlemmar"), required=False)
    include_local = forms.BooleanField(label=_("Bjud också in de lokala nätverkens medlemmar"), required=False)

    def __init__(self, *args, network=None, **kwargs):
        super().__init__(*args, **kwargs)
        if network is None or not network.parent_id:
            del self.fields["include_regional"]
        if network is None or network.kind != network.Kind.REGIONAL:
            del self.fields["include_local"]


ANSWER_CHOICES = [("", _("Inte svarat")), (Invitation.Response.YES, _("Kommer")), (Invitation.Response.NO, _("Kommer inte"))]


class SeriesAnswerForm(forms.Form):
    """My answer for the whole series, or per meeting ("Jag kommer i september men inte i
    februari"): one choice per meeting still open for answers; ``all`` answers them all."""

    all = forms.ChoiceField(
        label=_("Svara för hela serien"), required=False,
        choices=[("", _("Välj per möte nedan")), (Invitation.Response.YES, _("Jag kommer till alla")),
                 (Invitation.Response.NO, _("Jag kommer inte till något"))],
    )

    def __init__(self, *args, invitations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.invitations = [inv for inv in invitations if inv.meeting.is_open_for_answers]
        for inv in self.invitations:
            current = Invitation.Response.YES if inv.response == Invitation.Response.WAITLIST else inv.response
            self.fields[f"m{inv.meeting_id}"] = forms.ChoiceField(
                label=f"{inv.meeting.local_start:%Y-%m-%d %H.%M}", choices=ANSWER_CHOICES, required=False,
                initial="" if current == Invitation.Response.PENDING else current,
            )

    def answers(self):
        everyone = self.cleaned_data.get("all")
        result = {}
        for inv in self.invitations:
            value = everyone or self.cleaned_data.get(f"m{inv.meeting_id}")
            if value:
                result[inv.meeting_id] = value
        return result

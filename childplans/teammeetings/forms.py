"""Forms for the team meeting pages. Labels are Swedish msgids; times are entered in Swedish time.
Rules that need the database (a time in the past, a guardian without an address, the team,
consent) are the services'; the choices offered here are already narrowed to the plan."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from childplans.forms import DateInput, GoalChoiceField, OrganisationChoiceField, PersonChoiceField
from childplans.models import Action, ConsentOrganisation, Goal, Guardian, Review, TeamMember
from meetings.forms import DateTimeInput
from networks.models import Organisation
from portal import bounds
from portal.forms import IdChoiceField, IdMultipleChoiceField, ModelForm
from portal.validators import DateWithin

from .models import ChildPart, Invitee, MinutesAction, TeamMeeting

User = get_user_model()


class MemberChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, obj):
        label = f"{obj.user.display_name} – {obj.organisation}"
        return f"{label} ({obj.part})" if obj.part else label


class GuardianChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, obj):
        address = obj.email or _("ingen e-postadress")
        return f"{obj.name} ({obj.get_relation_display().lower()}, {address})"


class MeetingTimeMixin:
    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("Mötet måste sluta efter att det börjar."))
        return data


class CallForm(MeetingTimeMixin, forms.Form):
    starts_at = forms.DateTimeField(label=_("Börjar"), widget=DateTimeInput(), help_text=_("Svensk tid."),
                                    validators=[DateWithin("meeting")])
    ends_at = forms.DateTimeField(label=_("Slutar"), widget=DateTimeInput(), validators=[DateWithin("meeting")])
    place = forms.CharField(label=_("Plats"), max_length=300, required=False,
                            help_text=_("Till exempel ett rum på skolan. Ange en plats, en videolänk eller båda."))
    video_url = forms.URLField(label=_("Videolänk"), required=False, assume_scheme="https", max_length=200)
    members = MemberChoiceField(
        label=_("Vilka i teamet kallas"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple,
        help_text=_("Alla är valda från början. Du som kontaktperson är alltid med."),
    )
    guardians = GuardianChoiceField(
        label=_("Vårdnadshavare som bjuds in"), queryset=Guardian.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    guardians_by_email = forms.BooleanField(
        label=_("Skicka inbjudan till vårdnadshavarna med e-post"), required=False, initial=True,
        help_text=_("Utan e-post bjuder du in dem själv, till exempel på telefon."),
    )
    child_part = forms.ChoiceField(label=_("Hur barnet deltar"), choices=ChildPart.choices,
                                   widget=forms.RadioSelect, initial=ChildPart.IN_ROOM)
    child_spokesperson = forms.CharField(label=_("Person som talar för barnet"), max_length=200, required=False,
                                         help_text=_("Om barnet deltar genom någon annan: vem."))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        members = (
            TeamMember.objects.giving_access().filter(plan=plan).exclude(user_id=plan.contact_person_id)
            .select_related("user", "organisation").order_by("user__first_name", "user__last_name", "pk")
        )
        self.fields["members"].queryset = members
        self.fields["members"].initial = [m.pk for m in members]
        guardians = Guardian.objects.filter(child_id=plan.child_id).order_by("name", "pk")
        self.fields["guardians"].queryset = guardians
        self.fields["guardians"].initial = [g.pk for g in guardians if g.has_custody and g.email]


class UpdateForm(MeetingTimeMixin, ModelForm):
    video_url = forms.URLField(label=_("Videolänk"), required=False, assume_scheme="https", max_length=200)

    class Meta(ModelForm.Meta):
        model = TeamMeeting
        fields = ["starts_at", "ends_at", "place", "video_url", "child_part", "child_spokesperson"]
        labels = {
            "starts_at": _("Börjar"), "ends_at": _("Slutar"), "place": _("Plats"), "video_url": _("Videolänk"),
            "child_part": _("Hur barnet deltar"), "child_spokesperson": _("Person som talar för barnet"),
        }
        widgets = {"starts_at": DateTimeInput(), "ends_at": DateTimeInput(), "child_part": forms.RadioSelect}
        help_texts = {"starts_at": _("Svensk tid. Ändras tid eller plats får de kallade en uppdaterad kalenderfil.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["child_part"].choices = ChildPart.choices

    def _post_clean(self):
        pass  # the service checks the rules (with Swedish messages)


class PrepareForm(forms.Form):
    family_topics = forms.CharField(
        label=_("Vad vårdnadshavarna och barnet vill prata om"), required=False, max_length=bounds.TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    not_before_child = forms.CharField(
        label=_("Vad som inte ska tas upp när barnet är med"), required=False, max_length=bounds.TEXT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    child_words = forms.CharField(
        label=_("Barnets brev eller egna ord"), required=False, max_length=bounds.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Skriv av brevet eller det barnet vill säga, med barnets egna ord."),
    )


class AgendaAddForm(forms.Form):
    title = forms.CharField(label=_("Ny punkt"), max_length=300)


class AnswerForm(forms.Form):
    response = forms.ChoiceField(
        label=_("Ditt svar"), choices=[(Invitee.Response.YES, _("Jag kommer")), (Invitee.Response.NO, _("Jag kan inte komma"))],
        error_messages={"required": _("Välj om du kommer eller inte.")},
    )


YES_NO = [("", _("Inte angett")), ("ja", _("Ja")), ("nej", _("Nej"))]


def _yes_no(value):
    return {"ja": True, "nej": False}.get(value)


class MinutesForm(forms.Form):
    """The minutes: who came, notes per agenda point, what was decided, the next meeting, the two
    participation indicators and the guardians' summary. Built from the invitees and agenda
    points the page already loaded (no queries of its own)."""

    attended = forms.MultipleChoiceField(label=_("Vilka kom"), required=False, widget=forms.CheckboxSelectMultiple)
    child_came = forms.BooleanField(label=_("Barnet var med"), required=False)
    other_participants = forms.CharField(label=_("Andra som var med"), required=False, max_length=bounds.NOTE,
                                         widget=forms.Textarea(attrs={"rows": 2}))
    decisions = forms.CharField(label=_("Vad som beslutades"), required=False, max_length=bounds.LONG_TEXT,
                                widget=forms.Textarea(attrs={"rows": 4}), help_text=_("Krävs för att stänga protokollet."))
    notes = forms.CharField(label=_("Övriga anteckningar"), required=False, max_length=bounds.LONG_TEXT,
                            widget=forms.Textarea(attrs={"rows": 3}))
    next_meeting_on = forms.DateField(label=_("Datum för nästa möte"), required=False, widget=DateInput(),
                                      help_text=_("Blir planens nästa uppföljning."), validators=[DateWithin("plan")])
    child_took_part = forms.ChoiceField(
        label=_("Var barnet delaktigt i att ta fram planen?"), required=False,
        choices=[("", _("Inte angett")), *Review.ChildTookPart.choices], widget=forms.RadioSelect,
    )
    guardians_know_plan = forms.TypedChoiceField(
        label=_("Känner vårdnadshavarna till planen?"), required=False, choices=YES_NO, coerce=_yes_no,
        empty_value=None, widget=forms.RadioSelect,
    )
    send_summary = forms.BooleanField(label=_("Skicka en sammanfattning till vårdnadshavarna"), required=False,
                                      help_text=_("Med e-post när protokollet stängs, bara om du kryssar i."))
    guardian_summary = forms.CharField(
        label=_("Sammanfattning för vårdnadshavarna, med vanliga ord"), required=False, max_length=bounds.TEXT,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, invitees, points, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attended"].choices = [(str(i.pk), invitee_label(i)) for i in invitees]
        self.point_fields = []
        for point in points:
            name = f"point_{point.pk}"
            self.fields[name] = forms.CharField(label=point.title, required=False, initial=point.notes,
                                                max_length=bounds.TEXT, widget=forms.Textarea(attrs={"rows": 2}))
            self.point_fields.append(name)

    def minutes(self):
        """The cleaned data as the services take it."""
        d = self.cleaned_data
        return {
            "attended": [int(pk) for pk in d["attended"]],
            "point_notes": {int(name.split("_", 1)[1]): d[name] for name in self.point_fields},
            **{k: d[k] for k in ("child_came", "other_participants", "decisions", "notes", "next_meeting_on",
                                 "child_took_part", "guardians_know_plan", "send_summary", "guardian_summary")},
        }


def invitee_label(invitee):
    if invitee.guardian_id:
        return f"{invitee.guardian.name} ({invitee.guardian.get_relation_display().lower()})"
    return f"{invitee.team_member.user.display_name} – {invitee.team_member.organisation}"


class ActionChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.what[:80]} ({obj.get_status_display().lower()}, {obj.due_on:%Y-%m-%d})"


class MinutesActionForm(ModelForm):
    action = ActionChoiceField(
        label=_("Insats som ändras"), queryset=Action.objects.none(), required=False,
        help_text=_("Lämna tomt för en ny insats."),
    )

    class Meta(ModelForm.Meta):
        model = MinutesAction
        fields = ["action", "goal", "what", "responsible_organisation", "responsible_person", "due_on", "status"]
        labels = {
            "goal": _("Mål"), "what": _("Vad ska göras"), "responsible_organisation": _("Ansvarig organisation"),
            "responsible_person": _("Ansvarig person"), "due_on": _("Klart senast"), "status": _("Status"),
        }
        widgets = {"what": forms.Textarea(attrs={"rows": 3}), "due_on": DateInput()}
        field_classes = {"goal": GoalChoiceField, "responsible_organisation": OrganisationChoiceField,
                         "responsible_person": PersonChoiceField}

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = Action.objects.filter(plan=plan).order_by("due_on", "pk")
        self.fields["goal"].queryset = Goal.objects.filter(plan=plan)
        team = TeamMember.objects.giving_access().filter(plan=plan)
        person = self.fields["responsible_person"]
        person.queryset = User.objects.filter(pk__in=team.values("user_id")).order_by("first_name", "last_name")
        person.error_messages["invalid_choice"] = _("Den ansvariga personen måste vara med i teamet.")
        covered = ConsentOrganisation.objects.in_force().filter(consent__plan=plan).values("organisation_id")
        self.fields["responsible_organisation"].queryset = (
            Organisation.objects.filter(pk__in=covered) | Organisation.objects.filter(pk=plan.owner_organisation_id)
        ).select_related("kommun", "lan").distinct()

    def _post_clean(self):
        pass  # the service checks the rules (with Swedish messages)

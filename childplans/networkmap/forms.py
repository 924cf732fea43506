"""Forms for the network map. Choices are narrowed to the plan (its people, its actions); the
services check the same rules again, so a tampered POST changes nothing."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from childplans.forms import DateInput
from childplans.models import Action
from portal import bounds
from portal.forms import IdChoiceField, IdMultipleChoiceField, ModelForm
from portal.validators import DateWithin

from .models import Closeness, CostlyAction, MapPerson, MapVersion, NetworkMeeting

# No placeholder: the value is whatever was posted (Django fills ``%(value)s`` for one code and
# ``%(pk)s`` for another; a message naming the wrong one raised KeyError on a non-number).
NOT_ON_MAP = _("Personen finns inte på barnets nätverkskarta.")


class PersonForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = MapPerson
        fields = [
            "name", "relation", "sector", "closeness", "quality", "support_practical", "support_emotional",
            "can_step_in", "phone", "contact", "named_by_child",
        ]
        labels = {
            "name": _("Namn"),
            "relation": _("Relation till barnet"),
            "sector": _("Sektor"),
            "closeness": _("Hur nära barnet (cirkel)"),
            "quality": _("Hur barnet ser relationen"),
            "support_practical": _("Kan ge praktiskt stöd"),
            "support_emotional": _("Kan ge känslomässigt stöd"),
            "can_step_in": _("Kan träda in vid akut behov"),
            "phone": _("Telefon"),
            "contact": _("Andra kontaktuppgifter"),
            "named_by_child": _("Barnet nämnde personen själv"),
        }
        widgets = {"closeness": forms.RadioSelect, "quality": forms.RadioSelect}
        error_messages = {
            "name": {"required": _("Skriv personens namn.")},
            "relation": {"required": _("Skriv personens relation till barnet, till exempel mormor eller tränare.")},
            "closeness": {
                "required": _("Välj en av de tre cirklarna: närmast, nära eller längre ifrån."),
                "invalid_choice": _("Välj en av de tre cirklarna: närmast, nära eller längre ifrån."),
            },
        }

    def __init__(self, *args, plan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closeness"].choices = Closeness.choices
        self.fields["quality"].choices = self.fields["quality"].choices[1:]  # no empty choice for radios
        self.fields["phone"].help_text = _("Visas i vyn Vem kan träda in nu?")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Skriv personens namn."))
        return name


class LeaveForm(forms.Form):
    left_on = forms.DateField(label=_("Inte längre i barnets liv sedan"), widget=DateInput(),
                              validators=[DateWithin("given")])
    note = forms.CharField(label=_("Anteckning"), max_length=300, required=False)

    def __init__(self, *args, **kwargs):
        kwargs["initial"] = {"left_on": timezone.localdate(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)


class VersionForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = MapVersion
        fields = ["phase", "saved_on", "child_took_part", "child_part_how"]
        labels = {
            "phase": _("Fas"),
            "saved_on": _("Datum"),
            "child_took_part": _("Var barnet med och gjorde kartan?"),
            "child_part_how": _("Hur var barnet med?"),
        }
        widgets = {"saved_on": DateInput(), "child_took_part": forms.RadioSelect,
                   "child_part_how": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, plan=None, **kwargs):
        kwargs["initial"] = {"saved_on": timezone.localdate(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        self.fields["child_took_part"].choices = self.fields["child_took_part"].choices[1:]


class MapPersonMultipleChoiceField(IdMultipleChoiceField):
    default_error_messages = {"invalid_choice": NOT_ON_MAP, "invalid_pk_value": NOT_ON_MAP}

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.relation})"


class MapPersonChoiceField(IdChoiceField):
    default_error_messages = {"invalid_choice": NOT_ON_MAP}

    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.relation})"


class ActionMultipleChoiceField(IdMultipleChoiceField):
    default_error_messages = {"invalid_choice": _("Välj insatser ur den här planen.")}

    def label_from_instance(self, obj):
        return str(obj)


class MeetingForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = NetworkMeeting
        fields = [
            "kind", "held_on", "participants", "other_participants", "agreements", "actions",
            "coordinator_name", "guardians_consent", "child_consent", "questions", "invitees_chosen_by_child",
            "support_person", "information_part", "family_own_time", "family_plan", "family_plan_approved",
            "follow_up_on",
        ]
        labels = {
            "kind": _("Slag av möte"),
            "held_on": _("Datum"),
            "participants": _("Deltagare från kartan"),
            "other_participants": _("Andra deltagare"),
            "agreements": _("Vad man kom överens om"),
            "actions": _("Insatser som följer av mötet"),
            "coordinator_name": _("Neutral samordnare"),
            "guardians_consent": _("Vårdnadshavarna har samtyckt till familjerådet"),
            "child_consent": _("Barnet har samtyckt (krävs från 15 år)"),
            "questions": _("Frågor till familjen (3–5, en per rad)"),
            "invitees_chosen_by_child": _("Inbjudna som barnet valde"),
            "support_person": _("Stödperson för barnet"),
            "information_part": _("Informationsdelen"),
            "family_own_time": _("Familjen hade egen tid utan professionella"),
            "family_plan": _("Familjens plan"),
            "family_plan_approved": _("Familjens plan presenterades och godkändes"),
            "follow_up_on": _("Uppföljande familjeråd"),
        }
        widgets = {
            "kind": forms.RadioSelect,
            "held_on": DateInput(),
            "follow_up_on": DateInput(),
            "participants": forms.CheckboxSelectMultiple,
            "invitees_chosen_by_child": forms.CheckboxSelectMultiple,
            "actions": forms.CheckboxSelectMultiple,
            "other_participants": forms.Textarea(attrs={"rows": 2}),
            "agreements": forms.Textarea(attrs={"rows": 3}),
            "questions": forms.Textarea(attrs={"rows": 4}),
            "information_part": forms.Textarea(attrs={"rows": 2}),
            "family_plan": forms.Textarea(attrs={"rows": 3}),
        }
        field_classes = {
            "participants": MapPersonMultipleChoiceField,
            "invitees_chosen_by_child": MapPersonMultipleChoiceField,
            "support_person": MapPersonChoiceField,
            "actions": ActionMultipleChoiceField,
        }

    def __init__(self, *args, plan, **kwargs):
        kwargs["initial"] = {"held_on": timezone.localdate(), "kind": NetworkMeeting.Kind.NETWORK_MEETING,
                             **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        people = MapPerson.objects.filter(plan=plan, left_on__isnull=True).order_by("closeness", "name", "pk")
        for name in ("participants", "invitees_chosen_by_child", "support_person"):
            self.fields[name].queryset = people
        self.fields["actions"].queryset = Action.objects.filter(plan=plan).order_by("due_on", "pk")
        self.fields["kind"].choices = self.fields["kind"].choices[1:]

    def clean(self):
        data = super().clean()
        held, follow_up = data.get("held_on"), data.get("follow_up_on")
        if held and follow_up and follow_up <= held:
            # A field error here also keeps the model's constraint from adding a generic one.
            self.add_error("follow_up_on", _("Uppföljningen måste ligga efter mötet."))
        return data


class CostlyForm(forms.Form):
    action = IdChoiceField(label=_("Insats"), queryset=Action.objects.none(),
                           error_messages={"invalid_choice": _("Välj en insats ur den här planen.")})
    reason = forms.CharField(
        label=_("Skäl om nätverket inte är utforskat"), required=False, max_length=bounds.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Krävs om inget nätverksmöte eller familjeråd har hållits och kartan inte har uppdaterats "
                    "den senaste tiden."),
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].queryset = (
            Action.objects.filter(plan=plan).exclude(pk__in=CostlyAction.objects.values("action_id"))
            .order_by("due_on", "pk")
        )

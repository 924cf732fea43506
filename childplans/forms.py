"""Forms for the plan pages. Labels are Swedish msgids. Rules that need the database beyond the
choices (consent coverage, team membership, one active plan) live in ``services.py``; the
choices offered here are already narrowed to the plan."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from networks.models import Organisation, OrganisationMembership
from portal import bounds
from portal.forms import IdChoiceField, IdMultipleChoiceField, ModelForm
from portal.validators import DateWithin

from .models import (
    Action,
    Area,
    ChronologyEntry,
    Consent,
    ConsentOrganisation,
    ConsentPurpose,
    Goal,
    Guardian,
    Need,
    ReasonCategory,
    Review,
    TeamMember,
)

User = get_user_model()

# Fields with personal data: never shown on an error page (sensitive_post_parameters).
SENSITIVE_FIELDS = ("given_name", "family_name", "personnummer", "birth_date", "name", "contact", "email", "reason")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class OrganisationChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        place = obj.kommun or obj.lan
        return f"{obj} ({place})" if place else str(obj)


class OrganisationMultipleChoiceField(IdMultipleChoiceField):
    def label_from_instance(self, obj):
        place = obj.kommun or obj.lan
        return f"{obj} ({place})" if place else str(obj)


class PersonChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


class PlanOpenForm(forms.Form):
    organisation = OrganisationChoiceField(label=_("Jag öppnar planen för"), queryset=Organisation.objects.none())
    given_name = forms.CharField(label=_("Barnets förnamn"), max_length=100)
    family_name = forms.CharField(label=_("Barnets efternamn"), max_length=100)
    birth_date = forms.DateField(label=_("Födelsedatum"), widget=DateInput(), validators=[DateWithin("birth")])
    personnummer = forms.CharField(
        label=_("Personnummer"), max_length=13, required=False,
        help_text=_("Frivilligt. ÅÅÅÅMMDD-NNNN. Visas maskerat i listor."),
    )
    reason = forms.CharField(label=_("Anledning till att planen öppnas"), max_length=bounds.TEXT,
                             widget=forms.Textarea(attrs={"rows": 4}))
    categories = IdMultipleChoiceField(
        label=_("Kategorier"), queryset=ReasonCategory.objects.filter(active=True), required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    part = forms.CharField(label=_("Min roll i planen"), max_length=200, required=False)
    contact_person = PersonChoiceField(
        label=_("Kontaktperson, om inte du"), queryset=User.objects.none(), required=False,
        help_text=_("En kollega i samma organisation. Hen blir kontaktperson när hen har accepterat; "
                    "till dess är du det."),
    )

    def __init__(self, *args, organisations, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["contact_person"].queryset = (
            User.objects.filter(is_active=True, organisationmembership__organisation__in=organisations)
            .exclude(pk=user.pk).distinct().order_by("first_name", "last_name", "email")
        )
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()


class ChildForm(forms.Form):
    given_name = forms.CharField(label=_("Förnamn"), max_length=100)
    family_name = forms.CharField(label=_("Efternamn"), max_length=100)
    birth_date = forms.DateField(label=_("Födelsedatum"), widget=DateInput(), validators=[DateWithin("birth")])
    personnummer = forms.CharField(
        label=_("Personnummer"), max_length=13, required=False, help_text=_("Frivilligt. ÅÅÅÅMMDD-NNNN.")
    )


class GuardianForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = Guardian
        fields = ["name", "relation", "has_custody", "email", "contact"]
        labels = {
            "name": _("Namn"),
            "relation": _("Relation till barnet"),
            "has_custody": _("Har vårdnaden om barnet"),
            "email": _("E-postadress"),
            "contact": _("Kontaktuppgifter (telefon, adress)"),
        }
        help_texts = {
            "email": _("Frivilligt. Behövs för att bjuda in vårdnadshavaren till barnteamets möten med e-post."),
        }

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()


def _default_valid_until():
    from .services import consent_default_until  # services imports the models this module does

    return consent_default_until(timezone.localdate())


class ConsentForm(forms.Form):
    """A guardian's consent: who, when, how, for which organisations, for which purposes
    (``ConsentPurpose``) and until when (proposed: ``CONSENT_DEFAULT_MONTHS`` after today; a
    guardian may give less; the bounds are ``services.consent_check_until``'s)."""

    guardian = IdChoiceField(label=_("Vårdnadshavare som samtycker"), queryset=Guardian.objects.none())
    given_on = forms.DateField(label=_("Datum"), widget=DateInput(), initial=timezone.localdate,
                               validators=[DateWithin("given")])
    valid_until = forms.DateField(
        label=_("Gäller till och med"), widget=DateInput(), initial=_default_valid_until,
        validators=[DateWithin("plan")],
        help_text=_("Föreslaget: ett år. Vårdnadshavaren kan ge samtycke för kortare tid."),
    )
    method = forms.ChoiceField(label=_("Hur samtycket lämnades"), choices=Consent.Method.choices,
                               widget=forms.RadioSelect)
    organisations = OrganisationMultipleChoiceField(
        label=_("Organisationer som får dela uppgifter"), queryset=Organisation.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 10}),
        help_text=_("Organisationer i samma län som planens organisation. Håll ned Ctrl för att välja flera."),
    )
    purposes = forms.MultipleChoiceField(
        label=_("Ändamål"), choices=ConsentPurpose.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Välj minst ett ändamål som samtycket gäller.")},
        help_text=_(
            "Vad uppgifterna får användas till. Vid hänvisning ser mottagaren bara det som hänvisningen "
            "delar (som standard förnamn, ålder och vad familjen vill ha hjälp med), aldrig planen."
        ),
    )
    note = forms.CharField(label=_("Anteckning om ändamålen"), max_length=bounds.NOTE, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["guardian"].queryset = Guardian.objects.filter(child_id=plan.child_id, has_custody=True)
        self.fields["organisations"].queryset = (
            Organisation.objects.filter(lan_id=plan.owner_organisation.lan_id)
            .exclude(pk=plan.owner_organisation_id)
            .select_related("kommun", "lan")
            .order_by("name", "unit")
        )


class ConsentRenewForm(forms.Form):
    """Renewing a consent: the new one's date, how it was given, until when and for which
    purposes (proposed: the old one's); the guardian and organisations stay the old one's."""

    given_on = forms.DateField(label=_("Datum"), widget=DateInput(), initial=timezone.localdate,
                               validators=[DateWithin("given")])
    valid_until = forms.DateField(label=_("Gäller till och med"), widget=DateInput(), initial=_default_valid_until,
                                  validators=[DateWithin("plan")])
    method = forms.ChoiceField(label=_("Hur samtycket lämnades"), choices=Consent.Method.choices,
                               widget=forms.RadioSelect)
    purposes = forms.MultipleChoiceField(
        label=_("Ändamål"), choices=ConsentPurpose.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Välj minst ett ändamål som samtycket gäller.")},
    )
    note = forms.CharField(label=_("Anteckning om ändamålen"), max_length=bounds.NOTE, required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ConsentWithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label=_("Återkallat datum"), widget=DateInput(), initial=timezone.localdate,
                                   validators=[DateWithin("given")])
    note = forms.CharField(label=_("Anteckning"), max_length=300, required=False)


class TeamMemberChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.user.display_name} – {obj.organisation}"


class TeamAddForm(forms.Form):
    membership = TeamMemberChoiceField(
        label=_("Person och organisation"), queryset=OrganisationMembership.objects.none(),
        help_text=_("Personer från planens organisation och från organisationer som ett samtycke omfattar."),
    )
    part = forms.CharField(label=_("Roll i planen"), max_length=200, required=False)
    is_supporter = forms.BooleanField(
        label=_("Stödsamordnare (barnets och familjens egen betrodda vuxen)"), required=False
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        covered = ConsentOrganisation.objects.in_force().filter(consent__plan=plan).values("organisation_id")
        current = TeamMember.objects.current().filter(plan=plan).values("user_id")
        self.fields["membership"].queryset = (
            OrganisationMembership.objects.filter(user__is_active=True)
            .filter(organisation_id__in=covered) | OrganisationMembership.objects.filter(
                user__is_active=True, organisation_id=plan.owner_organisation_id)
        ).exclude(user_id__in=current).select_related("user", "organisation").order_by(
            "organisation__name", "user__first_name", "user__last_name")


class HandoverForm(forms.Form):
    to_user = PersonChoiceField(label=_("Ny kontaktperson"), queryset=User.objects.none())

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        owners = TeamMember.objects.current().filter(plan=plan, organisation_id=plan.owner_organisation_id)
        self.fields["to_user"].queryset = User.objects.filter(pk__in=owners.values("user_id")).exclude(
            pk=plan.contact_person_id
        )


NEED_CHOICES = Need.choices


class AssessmentForm(forms.Form):
    assessed_on = forms.DateField(label=_("Bedömningsdatum"), widget=DateInput(), initial=timezone.localdate,
                                  validators=[DateWithin("given")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Area.choices:
            self.fields[f"{code}_need"] = forms.ChoiceField(
                label=_("%(area)s: behov") % {"area": label}, choices=NEED_CHOICES, widget=forms.RadioSelect
            )
            self.fields[f"{code}_seen"] = forms.CharField(
                label=_("%(area)s: vad som ses") % {"area": label}, required=False, max_length=bounds.TEXT,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"{code}_seen_by"] = forms.CharField(
                label=_("%(area)s: av vem") % {"area": label}, required=False, max_length=200
            )

    def areas(self):
        d = self.cleaned_data
        return {
            code: {"need": d[f"{code}_need"], "seen": d[f"{code}_seen"], "seen_by": d[f"{code}_seen_by"]}
            for code in Area.values
        }

    def area_groups(self):
        """Fields grouped per area for the template (one fieldset per area)."""
        return [
            (label, [self[f"{code}_need"], self[f"{code}_seen"], self[f"{code}_seen_by"]])
            for code, label in Area.choices
        ]


class VoiceForm(forms.Form):
    child_voice = forms.CharField(
        label=_("Barnets röst, med barnets egna ord"), required=False, max_length=bounds.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    guardians_views = forms.CharField(
        label=_("Vårdnadshavarnas synpunkter, med deras egna ord"), required=False, max_length=bounds.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class GoalForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = Goal
        fields = ["area", "description"]
        labels = {"area": _("Område"), "description": _("Mål")}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class GoalChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_area_display()}: {obj.description[:80]}"


class ActionForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = Action
        fields = ["goal", "what", "responsible_organisation", "responsible_person", "starts_on", "due_on",
                  "status", "follow_up"]
        labels = {
            "goal": _("Mål"),
            "what": _("Vad ska göras"),
            "responsible_organisation": _("Ansvarig organisation"),
            "responsible_person": _("Ansvarig person"),
            "starts_on": _("Start"),
            "due_on": _("Klart senast"),
            "status": _("Status"),
            "follow_up": _("Uppföljning"),
        }
        widgets = {
            "what": forms.Textarea(attrs={"rows": 3}),
            "follow_up": forms.Textarea(attrs={"rows": 2}),
            "starts_on": DateInput(),
            "due_on": DateInput(),
        }
        field_classes = {"goal": GoalChoiceField, "responsible_organisation": OrganisationChoiceField,
                         "responsible_person": PersonChoiceField}

    costly = forms.BooleanField(
        label=_("Kostsam insats (t.ex. placering utanför hemmet)"),
        required=False,
        help_text=_("Innan en kostsam insats planeras ska barnets nätverk vara utforskat."),
    )
    costly_reason = forms.CharField(
        label=_("Skäl om nätverket inte är utforskat"),
        required=False,
        max_length=bounds.NOTE,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and hasattr(self.instance, "costly"):
            # Already marked (networkmap.CostlyAction): the mark is kept, not asked again.
            del self.fields["costly"]
            del self.fields["costly_reason"]
        self.fields["goal"].queryset = Goal.objects.filter(plan=plan)
        team = TeamMember.objects.current().filter(plan=plan)
        self.fields["responsible_person"].queryset = User.objects.filter(pk__in=team.values("user_id"))
        covered = ConsentOrganisation.objects.in_force().filter(consent__plan=plan).values("organisation_id")
        self.fields["responsible_organisation"].queryset = (
            Organisation.objects.filter(pk__in=covered) | Organisation.objects.filter(pk=plan.owner_organisation_id)
        ).select_related("kommun", "lan").distinct()

    def clean(self):
        data = super().clean()
        starts, due = data.get("starts_on"), data.get("due_on")
        if starts and due and due < starts:
            self.add_error("due_on", _("Slutdatumet kan inte ligga före startdatumet."))
        return data

    def _post_clean(self):
        # The model's constraints are checked by the service (with a Swedish message);
        # skip the ModelForm's own instance validation of them.
        pass


class IndicatorsLanForm(forms.Form):
    """The indicators page's choice (GET): every län's totals, or one län with its kommuner."""

    lan = forms.ChoiceField(
        label=_("Län"),
        required=False,
        error_messages={"invalid_choice": _("Länet finns inte bland de räknade. Sidan visar alla län.")},
    )

    def __init__(self, *args, lans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lan"].choices = [
            ("", _("Alla län")), *((lan.code, lan.total.name or _("Okänt län")) for lan in lans)
        ]

    def chosen(self):
        """The chosen län's code, or "" for every län (also when the value is not a counted län:
        its message shows by the field)."""
        return self.cleaned_data["lan"] if self.is_bound and self.is_valid() else ""


class ReviewPlanForm(forms.Form):
    date = forms.DateField(label=_("Datum för uppföljningen"), widget=DateInput(), validators=[DateWithin("plan")])

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date < timezone.localdate():
            raise forms.ValidationError(_("En planerad uppföljning kan inte ligga i det förflutna."))
        return date


class ReviewRecordForm(forms.Form):
    participants = forms.CharField(label=_("Vilka deltog"), max_length=bounds.TEXT,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    decisions = forms.CharField(label=_("Vad beslutades"), max_length=bounds.LONG_TEXT,
                                widget=forms.Textarea(attrs={"rows": 4}))
    child_took_part = forms.ChoiceField(
        label=_("Var barnet delaktigt i att ta fram planen?"), choices=Review.ChildTookPart.choices,
        widget=forms.RadioSelect,
    )
    guardians_know_plan = forms.TypedChoiceField(
        label=_("Känner vårdnadshavarna till planen?"), choices=[("ja", _("Ja")), ("nej", _("Nej"))],
        coerce=lambda v: v == "ja", widget=forms.RadioSelect,
    )
    next_review_on = forms.DateField(label=_("Nästa uppföljning"), widget=DateInput(), required=False,
                                     validators=[DateWithin("plan")])


class ChronologyForm(ModelForm):
    class Meta(ModelForm.Meta):
        model = ChronologyEntry
        fields = ["occurred_on", "event", "source", "impact", "action_taken"]
        labels = {
            "occurred_on": _("Datum"),
            "event": _("Händelse, med vanliga ord"),
            "source": _("Källa"),
            "impact": _("Påverkan på barnet"),
            "action_taken": _("Åtgärd"),
        }
        widgets = {
            "occurred_on": DateInput(),
            "event": forms.Textarea(attrs={"rows": 2}),
            "action_taken": forms.Textarea(attrs={"rows": 2}),
            "impact": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["impact"].choices = ChronologyEntry.Impact.choices

    def _post_clean(self):
        pass


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Anledning till att planen avslutas"), max_length=bounds.NOTE,
                             widget=forms.Textarea(attrs={"rows": 3}))

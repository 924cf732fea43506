"""Forms for referrals. Labels are Swedish msgids. The rules (consent, receivers, one open
referral per place) are the service's; the choices here are narrowed to the plan and say, before
anything is sent, which organisations a consent covers and which have no receiver yet."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from childplans.forms import GoalChoiceField
from childplans.models import Goal
from networks.models import Activity, Organisation, ReferralReceiver
from portal import bounds
from portal.forms import IdChoiceField

from .models import NOTE_MAX, Referral
from .services import referral_consents


class _LabelledChoiceField(IdChoiceField):
    """An organisation or activity labelled with what the referrer must know before sending:
    whether a consent covers it and whether it has a receiver."""

    def __init__(self, *args, covered=(), receiving=(), **kwargs):
        self.covered, self.receiving = set(covered), set(receiving)
        super().__init__(*args, **kwargs)

    def organisation_id_of(self, obj):
        return obj.pk

    def label_from_instance(self, obj):
        organisation_id = self.organisation_id_of(obj)
        notes = []
        if organisation_id in self.covered:
            notes.append(str(_("samtycke finns")))
        if organisation_id not in self.receiving:
            notes.append(str(_("ingen mottagare än")))
        base = self.base_label(obj)
        return f"{base} – {', '.join(notes)}" if notes else base

    def base_label(self, obj):
        place = obj.kommun or obj.lan
        return f"{obj} ({place.name})" if place else str(obj)


class _ActivityChoiceField(_LabelledChoiceField):
    def organisation_id_of(self, obj):
        return obj.organisation_id

    def base_label(self, obj):
        return f"{obj.title} – {obj.organisation}"


class ReferralForm(forms.Form):
    organisation = _LabelledChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none(), required=False,
        help_text=_("En hänvisning kräver ett samtycke som omfattar organisationen och hänvisning."),
        error_messages={"invalid_choice": _("Välj en organisation i listan.")},
    )
    activity = _ActivityChoiceField(
        label=_("Verksamhet"), queryset=Activity.objects.none(), required=False,
        help_text=_("Frivilligt: en verksamhet i katalogen hos en organisation som samtycket omfattar."),
        error_messages={"invalid_choice": _("Välj en verksamhet i listan.")},
    )
    help_wanted = forms.CharField(
        label=_("Vad familjen vill ha hjälp med"), widget=forms.Textarea(attrs={"rows": 4}), max_length=bounds.TEXT,
        required=False,  # the service says what is missing, next to the field
        help_text=_("Skrivet för mottagaren. Mottagaren läser bara det här, aldrig planen."),
    )
    share_first_name = forms.BooleanField(label=_("Dela barnets förnamn"), required=False, initial=True)
    share_age = forms.BooleanField(label=_("Dela barnets ålder"), required=False, initial=True)
    contact_by = forms.ChoiceField(
        label=_("Hur mottagaren tar kontakt"), choices=Referral.ContactBy.choices, widget=forms.RadioSelect,
        initial=Referral.ContactBy.FAMILY,
    )
    contact_details = forms.CharField(
        label=_("Så når mottagaren familjen"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
        max_length=bounds.NOTE,
        help_text=_("Bara om mottagaren ska kontakta familjen, och bara det familjen har sagt ja till att dela."),
    )
    follow = forms.BooleanField(
        label=_("Jag vill följa hänvisningen"), required=False,
        help_text=_("Du får en insats i planen vid varje besked från mottagaren."),
    )
    follow_goal = GoalChoiceField(label=_("Uppföljningen hör till målet"), queryset=Goal.objects.none(),
                                  required=False)

    def __init__(self, *args, plan, activity_id=None, **kwargs):
        super().__init__(*args, **kwargs)
        covered = set(referral_consents(plan).values_list("organisation_id", flat=True))
        receiving = set(ReferralReceiver.objects.current().values_list("organisation_id", flat=True).distinct())
        lan_id = plan.owner_organisation.lan_id
        organisations = self.fields["organisation"]
        organisations.covered, organisations.receiving = covered, receiving
        organisations.queryset = (
            Organisation.objects.filter(lan_id=lan_id).select_related("kommun", "lan").order_by("name", "unit")
        )
        activities = self.fields["activity"]
        activities.covered, activities.receiving = covered, receiving
        # The activities of the organisations a consent covers, and the one the referrer came from
        # (``activity_id``: from the directory, maybe not covered: then the form says so).
        activities.queryset = (
            Activity.objects.filter(Q(organisation_id__in=covered) | Q(pk=activity_id or 0))
            .select_related("organisation")
            .order_by("organisation__name", "organisation__unit", "title")
        )
        self.fields["follow_goal"].queryset = Goal.objects.filter(plan=plan)

    def clean(self):
        cleaned = super().clean()
        activity = cleaned.get("activity")
        if cleaned.get("organisation") is None and "organisation" not in self.errors:
            if activity is not None:  # an activity chosen alone names its organisation
                cleaned["organisation"] = activity.organisation
            elif "activity" not in self.errors:
                self.add_error("organisation", _("Välj en organisation eller en verksamhet."))
        return cleaned


class AnswerForm(forms.Form):
    """A receiver's answer; ``choices`` are the steps open from the referral's status."""

    status = forms.ChoiceField(
        label=_("Svar"), widget=forms.RadioSelect,
        error_messages={
            "required": _("Välj ett svar."),
            "invalid_choice": _("Det svaret går inte att ge: hänvisningen har redan fått ett svar eller är stängd."),
        },
    )
    note = forms.CharField(
        label=_("Kort meddelande till teamet"), required=False, max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("T.ex. när familjen är välkommen. Skriv inget mer om barnet än det som behövs."),
    )
    reason = forms.CharField(
        label=_("Skäl att avböja"), required=False, max_length=bounds.NOTE, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bara om ni avböjer. Skälet visas bara för barnets team."),
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        labels = ANSWER_LABELS
        self.fields["status"].choices = [
            (status, labels[status]) for status in Referral.RECEIVER_ANSWERS if referral.may_become(status)
        ]


ANSWER_LABELS = {
    Referral.Status.ACCEPTED: _("Vi tar emot familjen (accepterad)"),
    Referral.Status.DECLINED: _("Vi kan inte ta emot familjen (avböjd)"),
    Referral.Status.STARTED: _("Stödet har börjat"),
    Referral.Status.ENDED: _("Stödet är avslutat"),
}


class CancelForm(forms.Form):
    note = forms.CharField(
        label=_("Kort meddelande till mottagaren"), required=False, max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

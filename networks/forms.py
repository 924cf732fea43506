"""Forms for the network pages. Labels and messages are Swedish msgids; validation that
needs the database beyond the choices lives in networks/services.py."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal import bounds
from portal.forms import IdChoiceField
from portal.validators import DateWithin

from .models import Kommun, Lan, Network, NetworkMembership, Organisation

User = get_user_model()


class OrganisationChoiceField(IdChoiceField):
    """Organisations labelled with their place, so that two "Socialtjänsten" can be told apart."""

    def label_from_instance(self, obj):
        place = obj.kommun or obj.lan
        return f"{obj} ({place})" if place else str(obj)


class KommunChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.lan.name})"


class MemberChoiceField(IdChoiceField):
    def label_from_instance(self, obj):
        return obj.display_name


def organisations_for_user(user):
    """Organisations ``user`` may say they represent: their own, or any for administrators."""
    qs = Organisation.objects.select_related("kommun", "lan")
    if user.is_staff:
        return qs.all()
    represented = NetworkMembership.objects.filter(user=user).values("organisation_id")
    return qs.filter(Q(members=user) | Q(pk__in=represented)).distinct()


class NetworkCreateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Sort av nätverk"),
        choices=Network.Kind.choices,
        widget=forms.RadioSelect,
        initial=Network.Kind.LOCAL,
    )
    name = forms.CharField(label=_("Namn"), max_length=200)
    lan = IdChoiceField(
        label=_("Län"),
        queryset=Lan.objects.all(),
        required=False,
        help_text=_("Fylls i för ett regionalt nätverk."),
    )
    kommun = KommunChoiceField(
        label=_("Kommun"),
        queryset=Kommun.objects.select_related("lan"),
        required=False,
        help_text=_("Fylls i för ett lokalt nätverk."),
    )
    parent = IdChoiceField(
        label=_("Regionalt nätverk"),
        queryset=Network.objects.filter(kind=Network.Kind.REGIONAL).select_related("lan"),
        required=False,
        help_text=_("Det regionala nätverk som det lokala nätverket hör till (valfritt)."),
    )
    purpose = forms.CharField(
        label=_("Avsiktsförklaring"),
        required=False,
        max_length=bounds.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Varför nätverket finns och vad det vill åstadkomma."),
    )
    coordinator_organisation = OrganisationChoiceField(
        label=_("Organisation du företräder"),
        queryset=Organisation.objects.none(),
        help_text=_("Du blir nätverkets första samordnare och företräder den här organisationen."),
    )

    def __init__(self, *args, user, regional_networks=None, **kwargs):
        """``regional_networks``: for a coordinator who is not an administrator, the regional
        networks they coordinate; they may only create local networks under one of them."""
        super().__init__(*args, **kwargs)
        organisation = self.fields["coordinator_organisation"]
        organisation.queryset = organisations_for_user(user)
        if not user.is_staff:
            own = list(organisation.queryset[:2])
            if len(own) == 1:
                organisation.initial = own[0].pk
        if regional_networks is not None:
            self.fields["kind"].choices = [(Network.Kind.LOCAL, Network.Kind.LOCAL.label)]
            del self.fields["lan"]
            parent = self.fields["parent"]
            parent.queryset = regional_networks
            parent.required = True
            parent.empty_label = None
            parent.help_text = _("Det regionala nätverk som det nya lokala nätverket hör till.")
            lan_ids = {n.lan_id for n in regional_networks}
            self.fields["kommun"].queryset = Kommun.objects.filter(lan_id__in=lan_ids).select_related("lan")
            self.fields["kommun"].required = True
            self.fields["kommun"].help_text = ""

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        kommun = data.get("kommun")
        parent = data.get("parent")
        lan = data.get("lan")
        organisation = data.get("coordinator_organisation")
        if kind == Network.Kind.LOCAL:
            if kommun is None and "kommun" not in self.errors:
                self.add_error("kommun", _("Välj den kommun som det lokala nätverket hör till."))
            if kommun is not None:
                data["lan"] = kommun.lan
                if parent is not None and parent.lan_id != kommun.lan_id:
                    self.add_error(
                        "kommun",
                        _(
                            "%(kommun)s ligger i %(kommun_lan)s, men det regionala nätverket "
                            "%(parent)s hör till %(parent_lan)s. Välj en kommun i %(parent_lan)s "
                            "eller ett annat regionalt nätverk."
                        )
                        % {
                            "kommun": kommun.name,
                            "kommun_lan": kommun.lan.name,
                            "parent": parent.name,
                            "parent_lan": parent.lan.name,
                        },
                    )
                elif organisation is not None and organisation.lan_id != kommun.lan_id:
                    self.add_error(
                        "coordinator_organisation",
                        _("Organisationen finns i %(org_lan)s, men nätverket ligger i %(lan)s.")
                        % {"org_lan": organisation.lan, "lan": kommun.lan.name},
                    )
        elif kind == Network.Kind.REGIONAL:
            if lan is None and "lan" not in self.errors:
                self.add_error("lan", _("Välj det län som det regionala nätverket hör till."))
            if kommun is not None:
                self.add_error(
                    "kommun", _("Ett regionalt nätverk hör till ett län. Lämna kommun tom.")
                )
            if parent is not None:
                self.add_error(
                    "parent", _("Ett regionalt nätverk kan inte ligga under ett annat nätverk.")
                )
            data["kommun"] = None
            data["parent"] = None
        return data


class NetworkUpdateForm(forms.Form):
    name = forms.CharField(label=_("Namn"), max_length=200)
    purpose = forms.CharField(
        label=_("Avsiktsförklaring"), required=False, max_length=bounds.LONG_TEXT,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Varför nätverket finns och vad det vill åstadkomma."),
    )


class MemberInviteForm(forms.Form):
    email = forms.EmailField(
        label=_("E-postadress"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        help_text=_("Inbjudan skickas hit. Finns personen redan i portalen läggs hen till direkt."),
    )
    first_name = forms.CharField(label=_("Förnamn"), max_length=150)
    last_name = forms.CharField(label=_("Efternamn"), max_length=150)
    organisation = OrganisationChoiceField(
        label=_("Organisation som personen företräder"),
        queryset=Organisation.objects.none(),
        help_text=_("Någon av nätverkets medlemsorganisationer eller en organisation i länet."),
    )
    title = forms.CharField(
        label=_("Titel"), max_length=200, required=False, help_text=_("T.ex. kurator eller präst.")
    )
    role = forms.ChoiceField(
        label=_("Roll i nätverket"),
        choices=NetworkMembership.Role.choices,
        initial=NetworkMembership.Role.PARTICIPANT,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = (
            Organisation.objects.filter(Q(networks=network) | Q(lan_id=network.lan_id))
            .select_related("kommun", "lan")
            .distinct()
        )


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Roll"), choices=NetworkMembership.Role.choices)


class NetworkOrganisationAddForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("Organisationer i %(lan)s som inte redan är med i nätverket."),
    )

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["organisation"]
        field.queryset = (
            Organisation.objects.filter(lan_id=network.lan_id)
            .exclude(networks=network)
            .select_related("kommun", "lan")
        )
        field.help_text = field.help_text % {"lan": network.lan}


class StewardshipForm(forms.Form):
    organisation = OrganisationChoiceField(
        label=_("Sammankallande organisation"),
        queryset=Organisation.objects.none(),
        help_text=_("En av nätverkets medlemsorganisationer."),
    )
    contact_person = MemberChoiceField(
        label=_("Kontaktperson"),
        queryset=User.objects.none(),
        help_text=_("En av nätverkets medlemmar."),
    )
    starts_on = forms.DateField(
        label=_("Från och med"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Den nuvarande perioden avslutas dagen innan."),
        validators=[DateWithin("network")],
    )
    note = forms.CharField(label=_("Anteckning"), max_length=300, required=False)

    def __init__(self, *args, network, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("starts_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(
            networks=network
        ).select_related("kommun", "lan")
        self.fields["contact_person"].queryset = User.objects.filter(
            network_memberships__network=network
        ).order_by("first_name", "last_name", "email")


class ReceiverAddForm(forms.Form):
    """Name a receiver of referrals among the organisation's members who are not one yet."""

    user = MemberChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        help_text=_("Personer som hör till organisationen i portalen."),
        error_messages={"required": _("Välj en person."), "invalid_choice": _("Välj en av organisationens personer.")},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = (
            User.objects.filter(is_active=True, organisationmembership__organisation=organisation)
            .exclude(pk__in=organisation.referral_receivers.values("user_id"))
            .order_by("first_name", "last_name", "email")
        )

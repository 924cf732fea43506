"""Writes with side effects for networks: memberships, invitations, stewardship.

Each service takes keyword-only arguments and the acting user (``by``), validates with
``full_clean`` and raises ``ValidationError`` with Swedish messages; the view shows them."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.outbox import outbox_add

from .models import (
    Network,
    NetworkInvitation,
    NetworkMembership,
    NetworkOrganisation,
    OrganisationMembership,
    Stewardship,
)

User = get_user_model()


@transaction.atomic
def network_create(*, by, **fields):
    """Create a network; the creator becomes its first coordinator if they name an organisation."""
    organisation = fields.pop("coordinator_organisation", None)
    network = Network(**fields)
    network.full_clean()
    network.save()
    if organisation is not None:
        network_organisation_add(network=network, organisation=organisation, by=by)
        OrganisationMembership.objects.get_or_create(user=by, organisation=organisation)
        NetworkMembership.objects.create(
            network=network, user=by, organisation=organisation, role=NetworkMembership.Role.COORDINATOR
        )
    return network


def network_organisation_add(*, network, organisation, by):
    """Add a member organisation (no-op if it is already a member)."""
    if organisation.lan_id != network.lan_id and network.kind == Network.Kind.LOCAL:
        raise ValidationError(
            {"organisation": _("Organisationen finns i ett annat län än nätverket.")}
        )
    link, _created = NetworkOrganisation.objects.get_or_create(network=network, organisation=organisation)
    return link


@transaction.atomic
def network_organisation_remove(*, network, organisation, by):
    if NetworkMembership.objects.filter(network=network, organisation=organisation).exists():
        raise ValidationError(
            _("Organisationen företräds fortfarande av medlemmar i nätverket. Ta bort dem först.")
        )
    if Stewardship.objects.filter(network=network, organisation=organisation, ends_on__isnull=True).exists():
        raise ValidationError(_("Organisationen driver nätverket just nu. Lämna över ansvaret först."))
    NetworkOrganisation.objects.filter(network=network, organisation=organisation).delete()


@transaction.atomic
def network_member_invite(*, network, email, first_name, last_name, organisation, role, by, title=""):
    """Add a person to the network. A new address gets an account without a password and an
    invitation e-mail with a link to choose one; a known address is added and told so."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and NetworkMembership.objects.filter(network=network, user=user).exists():
        raise ValidationError({"email": _("%(email)s är redan medlem i nätverket.") % {"email": email}})
    network_organisation_add(network=network, organisation=organisation, by=by)
    created = user is None
    if created:
        user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    OrganisationMembership.objects.get_or_create(user=user, organisation=organisation, defaults={"title": title})
    membership = NetworkMembership.objects.create(network=network, user=user, organisation=organisation, role=role)
    if created or not user.has_usable_password():
        invitation = NetworkInvitation.objects.create(network=network, user=user, invited_by=by)
        outbox_add(kind="network_invitation", recipient=email, object_key=f"invitation:{invitation.pk}")
    else:
        outbox_add(kind="network_member_added", recipient=email, object_key=f"membership:{membership.pk}")
    return membership


@transaction.atomic
def network_member_remove(*, membership, by):
    network = membership.network
    if (
        membership.role == NetworkMembership.Role.COORDINATOR
        and not NetworkMembership.objects.filter(network=network, role=NetworkMembership.Role.COORDINATOR)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(_("Nätverket måste ha minst en samordnare. Utse en annan samordnare först."))
    membership.delete()


@transaction.atomic
def network_member_set_role(*, membership, role, by):
    if (
        membership.role == NetworkMembership.Role.COORDINATOR
        and role != NetworkMembership.Role.COORDINATOR
        and not NetworkMembership.objects.filter(network=membership.network, role=NetworkMembership.Role.COORDINATOR)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(_("Nätverket måste ha minst en samordnare. Utse en annan samordnare först."))
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def network_invitation_accept(*, invitation, password):
    """The invited person chose a password."""
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    NetworkInvitation.objects.filter(user=user, accepted_at__isnull=True).update(accepted_at=timezone.now())
    return user


@transaction.atomic
def stewardship_handover(*, network, organisation, contact_person, starts_on, by, note=""):
    """Hand the responsibility for driving the network to an organisation and a contact
    person from ``starts_on``; the current period ends the day before."""
    errors = {}
    if not NetworkOrganisation.objects.filter(network=network, organisation=organisation).exists():
        errors["organisation"] = _("Välj en av nätverkets medlemsorganisationer.")
    if not NetworkMembership.objects.filter(network=network, user=contact_person).exists():
        errors["contact_person"] = _("Kontaktpersonen måste vara medlem i nätverket.")
    current = Stewardship.objects.select_for_update().filter(network=network, ends_on__isnull=True).first()
    if current is not None and starts_on <= current.starts_on:
        errors["starts_on"] = _("Den nya perioden måste börja efter den nuvarande (%(date)s).") % {
            "date": current.starts_on
        }
    if errors:
        raise ValidationError(errors)
    if current is not None:
        current.ends_on = starts_on - timedelta(days=1)
        current.full_clean()
        current.save(update_fields=["ends_on"])
    period = Stewardship(
        network=network, organisation=organisation, contact_person=contact_person, starts_on=starts_on, note=note
    )
    period.full_clean()
    period.save()
    return period

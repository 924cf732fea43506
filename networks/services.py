"""Writes with side effects for networks: networks, memberships, member organisations,
invitations, stewardship, the directory (and its tips to families), an organisation's
receivers of referrals and a person's own details.

Each service takes keyword-only arguments and the acting user (``by``), validates with
``full_clean``, runs in one transaction and writes its audit row there (``audit_record``, with
an ``event`` naming the change and ids only in ``detail``); it raises ``ValidationError`` with
Swedish messages, which the view shows next to the field, and then nothing has changed."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit_record
from portal.models import AuditEvent
from portal.outbox import outbox_add

from .kept import forget_directory, forget_network_pages, forget_pages_of_people
from .models import (
    Activity,
    ActivityTipCount,
    Network,
    NetworkInvitation,
    NetworkMembership,
    NetworkOrganisation,
    OrganisationMembership,
    ReferralReceiver,
    Stewardship,
)
from .terms import current_term, term_key

User = get_user_model()
Action = AuditEvent.Action
COORDINATOR = NetworkMembership.Role.COORDINATOR


# --- networks ----------------------------------------------------------------------------------


@transaction.atomic
def network_create(*, by, coordinator_organisation=None, **fields):
    """Create a network; the creator becomes its first coordinator for the organisation they
    name."""
    network = Network(**fields)
    network.full_clean()
    network.save()
    audit_record(action=Action.CREATE, event="network.created", user=by, obj=network,
                 detail={"kind": network.kind, "parent_id": network.parent_id})
    if coordinator_organisation is not None:
        network_organisation_add(network=network, organisation=coordinator_organisation, by=by)
        OrganisationMembership.objects.get_or_create(user=by, organisation=coordinator_organisation)
        membership = NetworkMembership.objects.create(
            network=network, user=by, organisation=coordinator_organisation, role=COORDINATOR
        )
        audit_record(action=Action.CREATE, event="membership.added", user=by, obj=membership,
                     detail={"network_id": network.pk, "user_id": by.pk, "role": COORDINATOR})
    return network


@transaction.atomic
def network_update(*, network, by, name, purpose):
    """Change the network's name and purpose."""
    network = Network.objects.select_for_update().get(pk=network.pk)
    changed = [f for f, v in (("name", name), ("purpose", purpose)) if getattr(network, f) != v]
    network.name, network.purpose = name, purpose
    network.full_clean()
    network.save(update_fields=["name", "purpose", "updated_at"])
    audit_record(action=Action.UPDATE, event="network.updated", user=by, obj=network, detail={"fields": changed})
    forget_network_pages(network.pk)
    return network


# --- member organisations ----------------------------------------------------------------------


@transaction.atomic
def network_organisation_add(*, network, organisation, by):
    """Add a member organisation (no change, and no audit row, if it is already a member)."""
    if organisation.lan_id != network.lan_id and network.kind == Network.Kind.LOCAL:
        raise ValidationError({"organisation": _("Organisationen finns i ett annat län än nätverket.")})
    link, created = NetworkOrganisation.objects.get_or_create(network=network, organisation=organisation)
    if created:
        audit_record(action=Action.CREATE, event="network_organisation.added", user=by, obj=link,
                     detail={"network_id": network.pk, "organisation_id": organisation.pk})
        forget_network_pages(network.pk)
    return link


@transaction.atomic
def network_organisation_remove(*, network, organisation, by):
    if NetworkMembership.objects.filter(network=network, organisation=organisation).exists():
        raise ValidationError(_("Organisationen företräds fortfarande av medlemmar i nätverket. Ta bort dem först."))
    if Stewardship.objects.filter(network=network, organisation=organisation, ends_on__isnull=True).exists():
        raise ValidationError(_("Organisationen driver nätverket just nu. Lämna över ansvaret först."))
    link = NetworkOrganisation.objects.filter(network=network, organisation=organisation).first()
    if link is None:
        return
    audit_record(action=Action.DELETE, event="network_organisation.removed", user=by, obj=link,
                 detail={"network_id": network.pk, "organisation_id": organisation.pk})
    link.delete()
    forget_network_pages(network.pk)


# --- members -----------------------------------------------------------------------------------


@transaction.atomic
def network_member_invite(*, network, email, first_name, last_name, organisation, role, by, title=""):
    """Add a person to the network. A new address gets an account without a password and an
    invitation e-mail with a link to choose one; a known address is added and told so."""
    email = User.objects.normalize_email(email).strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and NetworkMembership.objects.filter(network=network, user=user).exists():
        raise ValidationError({"email": _("%(email)s är redan medlem i nätverket.") % {"email": email}})
    network_organisation_add(network=network, organisation=organisation, by=by)
    if user is None:
        user = User(email=email, first_name=first_name.strip(), last_name=last_name.strip())
        user.set_unusable_password()
        user.full_clean()
        user.save()
    OrganisationMembership.objects.get_or_create(user=user, organisation=organisation, defaults={"title": title})
    membership = NetworkMembership.objects.create(network=network, user=user, organisation=organisation, role=role)
    audit_record(action=Action.CREATE, event="membership.added", user=by, obj=membership,
                 detail={"network_id": network.pk, "user_id": user.pk, "role": role})
    forget_network_pages(network.pk)
    if not user.has_usable_password():
        invitation = NetworkInvitation.objects.create(network=network, user=user, invited_by=by)
        audit_record(action=Action.CREATE, event="network_invitation.sent", user=by, obj=invitation,
                     detail={"network_id": network.pk, "user_id": user.pk})
        outbox_add(kind="network_invitation", recipient=email, object_key=f"invitation:{invitation.pk}")
    else:
        outbox_add(kind="network_member_added", recipient=email, object_key=f"membership:{membership.pk}")
    return membership


def _other_coordinators(membership):
    return (
        NetworkMembership.objects.filter(network_id=membership.network_id, role=COORDINATOR)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def network_member_remove(*, membership, by):
    """Remove a member; the network keeps at least one coordinator."""
    membership = NetworkMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == COORDINATOR and not _other_coordinators(membership):
        raise ValidationError(_("Nätverket måste ha minst en samordnare. Utse en annan samordnare först."))
    audit_record(action=Action.DELETE, event="membership.removed", user=by, obj=membership,
                 detail={"network_id": membership.network_id, "user_id": membership.user_id,
                         "role": membership.role})
    membership.delete()
    forget_network_pages(membership.network_id)


@transaction.atomic
def network_member_set_role(*, membership, role, by):
    """Make a member a coordinator or a participant; the network keeps at least one
    coordinator."""
    locked = NetworkMembership.objects.select_for_update().get(pk=membership.pk)
    if locked.role == COORDINATOR and role != COORDINATOR and not _other_coordinators(locked):
        raise ValidationError(_("Nätverket måste ha minst en samordnare. Utse en annan samordnare först."))
    previous = locked.role
    locked.role = role
    locked.full_clean()
    locked.save(update_fields=["role"])
    membership.role = role
    if previous != role:
        audit_record(action=Action.UPDATE, event="membership.role_changed", user=by, obj=locked,
                     detail={"network_id": locked.network_id, "user_id": locked.user_id,
                             "from": previous, "to": role})
        forget_network_pages(locked.network_id)
    return membership


@transaction.atomic
def network_invitation_accept(*, invitation, password):
    """The invited person chose a password (they act for themselves)."""
    user = invitation.user
    user.set_password(password)
    user.save(update_fields=["password"])
    NetworkInvitation.objects.filter(user=user, accepted_at__isnull=True).update(accepted_at=timezone.now())
    audit_record(action=Action.PASSWORD_SET, event="network_invitation.accepted", user=user, obj=invitation,
                 detail={"network_id": invitation.network_id})
    forget_pages_of_people(user.pk)  # no longer "invited, not logged in yet"
    return user


# --- stewardship -------------------------------------------------------------------------------


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
    audit_record(action=Action.CREATE, event="stewardship.handed_over", user=by, obj=period,
                 detail={"network_id": network.pk, "organisation_id": organisation.pk,
                         "contact_person_id": contact_person.pk, "starts_on": starts_on.isoformat(),
                         "previous_id": current.pk if current else None})
    forget_network_pages(network.pk)
    return period


# --- the directory (verksamhetskatalogen) ------------------------------------------------------

ACTIVITY_FIELDS = (
    "organisation", "title", "description", "category", "age_from", "age_to", "kommun", "when", "where",
    "contact", "how_to_refer", "cost", "getting_there", "family_contact", "notify_email", "public",
)


@transaction.atomic
def activity_create(*, by, **fields):
    """Publish an activity in the directory."""
    activity = Activity(created_by=by, **{f: fields[f] for f in ACTIVITY_FIELDS if f in fields})
    activity.full_clean()
    activity.save()
    audit_record(action=Action.CREATE, event="activity.created", user=by, obj=activity,
                 detail={"organisation_id": activity.organisation_id})
    forget_directory()
    return activity


@transaction.atomic
def activity_update(*, activity, by, **fields):
    for name in ACTIVITY_FIELDS:
        if name in fields:
            setattr(activity, name, fields[name])
    activity.full_clean(exclude=["created_by"])  # an activity's author may have left
    activity.save()
    audit_record(action=Action.UPDATE, event="activity.updated", user=by, obj=activity,
                 detail={"organisation_id": activity.organisation_id})
    forget_directory()
    return activity


@transaction.atomic
def activity_delete(*, activity, by):
    audit_record(action=Action.DELETE, event="activity.deleted", user=by, obj=activity,
                 detail={"organisation_id": activity.organisation_id})
    activity.delete()
    forget_directory()


# --- tips to families ("Tipsa en familj") ---------------------------------------------------


@transaction.atomic
def activity_tip_record(*, activity, by, notify_contact=False):
    """A professional made the family leaflet of ``activity``: this term's count goes up by one
    (an ``F()`` update, so two at once both count). The portal keeps no record of the family:
    not in the count, not in the audit row (ids and the term only), not in the e-mail. With
    ``notify_contact`` the activity's contact is told that a family may get in touch (at most
    one such e-mail a day per activity: the outbox's unique period)."""
    if notify_contact and not activity.notify_email:
        raise ValidationError(
            {"notify_contact": _("Verksamheten har ingen e-postadress för tips. Ring eller skriv till kontakten.")}
        )
    term, year = current_term()
    row, _created = ActivityTipCount.objects.get_or_create(activity=activity, term=term, year=year)
    ActivityTipCount.objects.filter(pk=row.pk).update(count=F("count") + 1)
    audit_record(action=Action.UPDATE, event="activity.tipped", user=by, obj=activity,
                 detail={"activity_id": activity.pk, "term": term_key(term, year),
                         "contact_told": bool(notify_contact)})
    if notify_contact:
        outbox_add(kind="activity_tip_notice", recipient=activity.notify_email,
                   object_key=f"activity:{activity.pk}", period=timezone.localdate().isoformat())
    return row


# --- receivers of referrals (mottagare) ----------------------------------------------------


@transaction.atomic
def receiver_add(*, organisation, user, by):
    """Name ``user`` a receiver of the referrals sent to ``organisation``."""
    if not OrganisationMembership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError({"user": _("Mottagaren måste höra till organisationen.")})
    if not user.is_active:
        raise ValidationError({"user": _("Personens konto är inte aktivt.")})
    if ReferralReceiver.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError({"user": _("%(name)s är redan mottagare.") % {"name": user}})
    receiver = ReferralReceiver(organisation=organisation, user=user, named_by=by)
    receiver.full_clean()
    receiver.save()
    audit_record(action=Action.CREATE, event="receiver.added", user=by, obj=receiver,
                 detail={"organisation_id": organisation.pk, "user_id": user.pk})
    return receiver


@transaction.atomic
def receiver_remove(*, receiver, by):
    """The person no longer receives the organisation's referrals (from the next request on).
    The last receiver may go too: referrers are then told before they send, and the
    coordinators are reminded (``receivers_missing_remind``)."""
    audit_record(action=Action.DELETE, event="receiver.removed", user=by, obj=receiver,
                 detail={"organisation_id": receiver.organisation_id, "user_id": receiver.user_id})
    receiver.delete()


def organisation_coordinators(organisation):
    """The coordinators of every network ``organisation`` is a member organisation of."""
    return User.objects.filter(
        is_active=True,
        network_memberships__role=COORDINATOR,
        network_memberships__network__networkorganisation__organisation=organisation,
    ).distinct()


@transaction.atomic
def receivers_missing_remind(*, organisation, by):
    """Someone wanted to refer a family to ``organisation``, which has no receiver: remind the
    coordinators of its networks to have one named, once per organisation and term (the
    outbox's unique period). Returns how many reminders were recorded now (0 when they already
    were this term, or when the organisation has a receiver again)."""
    if ReferralReceiver.objects.current().filter(organisation=organisation).exists():
        return 0
    term, year = current_term()
    period = term_key(term, year)
    recorded = 0
    for email in organisation_coordinators(organisation).values_list("email", flat=True):
        if outbox_add(kind="receivers_missing", recipient=email, object_key=f"organisation:{organisation.pk}",
                      period=period):
            recorded += 1
    if recorded:
        audit_record(action=Action.CREATE, event="receivers.reminder_recorded", user=by, obj=organisation,
                     detail={"organisation_id": organisation.pk, "term": period, "reminders": recorded})
    return recorded


# --- a person's own details ----------------------------------------------------------------------


@transaction.atomic
def profile_update(*, user, by, first_name, last_name, phone, titles=None):
    """A person's name, phone and their title in each organisation they belong to (``titles``:
    {organisation membership id: title}; others are left alone)."""
    user.first_name, user.last_name, user.phone = first_name.strip(), last_name.strip(), phone.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["first_name", "last_name", "phone"])
    changed = []
    for membership in OrganisationMembership.objects.filter(user=user, pk__in=list(titles or {})):
        title = titles[membership.pk].strip()
        if membership.title != title:
            membership.title = title
            membership.full_clean()
            membership.save(update_fields=["title"])
            changed.append(membership.pk)
    audit_record(action=Action.UPDATE, event="profile.updated", user=by, obj=user,
                 detail={"organisation_memberships": changed})
    forget_pages_of_people(user.pk)
    return user

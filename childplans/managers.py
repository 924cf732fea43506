"""Who is on a plan's team now, whose consent is in force, and the one way to child data
(docs/security.md 3-5) — each rule one named queryset method, used everywhere:

- ``TeamMember.objects.current()``: on the team now — not removed (``removed_at`` empty). The
  question "is this person on the team?" (adding, handing over, who may be responsible for an
  action, the referrals' "only the team refers"). ``TeamMember.is_current`` is the same rule on
  one loaded row.
- ``TeamMember.objects.giving_access()``: current members who give their user access to their
  plan now — the account is active, they still belong to the organisation they are on the team
  for, and that organisation is the plan's owner or covered by a consent in force; a closed plan
  is reached only by its contact person (reading until gallring). Built on
  ``current()``. The question "may this member reach the plan?" for many members at once (who
  still gets a team meeting's reminders, whose answer link still works).
- ``ChildPlan.objects.visible_to(user)``: the plans ``user`` may see — those where the user is a
  member giving access (the rule above, for one user). Staff users, superusers and network
  coordinators get no special access.
- ``Consent.objects.in_force()`` / ``ConsentOrganisation.objects.in_force()``: consents that
  cover their organisations now (``consent_in_force``: not withdrawn, not superseded, today
  within given_on … valid_until); ``for_purpose(code)`` those that also cover a purpose
  (``ConsentPurpose``), ``for_referral()`` = ``for_purpose("referral")``.

Every one is evaluated in the query on every call: nothing is cached or built once per process,
so removing a member, withdrawing consent, leaving the organisation or deactivating an account
takes effect on the next request (promise 4)."""

from datetime import timedelta

from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from networks.models import OrganisationMembership


def consent_in_force(prefix="", today=None):
    """The condition "this consent is in force now" on ``Consent`` (or, with ``prefix`` such as
    ``"consent__"``, on a model that refers to one): not withdrawn, not superseded by a renewal,
    and today within ``given_on`` … ``valid_until`` (both included; issue 19). Today is
    ``timezone.localdate()`` at the call, so the condition is built per query — nothing about
    validity is cached. The one definition behind every ``in_force()`` method, and so behind
    ``visible_to``, ``giving_access``, the referral checks, the family invitations and the
    indicators.

    "Not superseded" is a ``NOT EXISTS`` on the renewals rather than the reverse one-to-one's
    ``LEFT JOIN … IS NULL``: PostgreSQL estimated that join at one row and chose nested loops
    over every consent of the country (the indicators took seconds at national size; an anti
    join it estimates well; docs/performance.md, "National scale")."""
    from .models import Consent  # the models import this module

    today = today or timezone.localdate()
    renewed = Consent.objects.filter(supersedes=OuterRef(f"{prefix}pk"))
    return Q(
        ~Exists(renewed),
        **{
            f"{prefix}withdrawn_on__isnull": True,
            f"{prefix}given_on__lte": today,
            f"{prefix}valid_until__gte": today,
        },
    )


def purpose_field(code):
    from .models import ConsentPurpose  # models imports this module

    return ConsentPurpose.field(code)


class ConsentQuerySet(models.QuerySet):
    def in_force(self):
        """Consents that cover their organisations now (``consent_in_force``)."""
        return self.filter(consent_in_force())

    def for_purpose(self, code):
        """Consents in force that cover purpose ``code`` (``ConsentPurpose``)."""
        return self.in_force().filter(**{purpose_field(code): True})

    def ending_within(self, days):
        """Consents in force whose last day is within ``days`` days from today."""
        today = timezone.localdate()
        return self.in_force().filter(valid_until__lte=today + timedelta(days=days))


class ConsentOrganisationQuerySet(models.QuerySet):
    def in_force(self):
        """(consent, organisation) rows whose consent is in force (``consent_in_force``)."""
        return self.filter(consent_in_force("consent__"))

    def for_purpose(self, code):
        """Rows in force whose consent also covers purpose ``code`` (``ConsentPurpose``)."""
        return self.in_force().filter(**{f"consent__{purpose_field(code)}": True})

    def for_referral(self):
        """Rows in force whose consent also covers referring to the organisation."""
        return self.for_purpose("referral")


def on_team_now(prefix=""):
    """On the team now: not removed. The one condition behind ``TeamMemberQuerySet.current``
    and the database's "one current membership per person and plan" constraint."""
    return Q(**{f"{prefix}removed_at__isnull": True})


class TeamMemberQuerySet(models.QuerySet):
    def current(self):
        """On the team now: not removed (``TeamMember.is_current`` on one row)."""
        return self.filter(on_team_now())

    def giving_access(self):
        """Current members who give their user access to their plan now: the account is active,
        still a member of the organisation they are on the team for, and that organisation is
        the plan's owner or covered by a consent in force; on a closed plan only the contact
        person keeps access, to read (issue 19 part 2). ``ChildPlan.objects.visible_to`` is
        this rule for one user."""
        from .models import ConsentOrganisation  # models imports this module

        covered = ConsentOrganisation.objects.in_force().filter(
            consent__plan_id=OuterRef("plan_id"), organisation_id=OuterRef("organisation_id")
        )
        still_in_organisation = OrganisationMembership.objects.filter(
            user_id=OuterRef("user_id"), organisation_id=OuterRef("organisation_id")
        )
        return (
            self.current()
            .filter(user__is_active=True)
            .filter(Q(organisation_id=F("plan__owner_organisation_id")) | Exists(covered))
            .filter(Exists(still_in_organisation))
            .filter(Q(plan__status="active") | Q(user_id=F("plan__contact_person_id")))
        )

    def giving_access_to(self, user):
        """``user``'s memberships that give access now (for ``OuterRef("pk")`` = a plan: the
        membership in that plan's team)."""
        return self.giving_access().filter(plan_id=OuterRef("pk"), user_id=user.pk)


class ChildPlanQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated or not user.is_active or not user.pk:
            return self.none()
        from .models import TeamMember  # models imports this module

        return self.filter(Exists(TeamMember.objects.giving_access_to(user)))

    def active(self):
        return self.filter(status=self.model.Status.ACTIVE)


ChildPlanManager = models.Manager.from_queryset(ChildPlanQuerySet)
TeamMemberManager = models.Manager.from_queryset(TeamMemberQuerySet)
ConsentManager = models.Manager.from_queryset(ConsentQuerySet)
ConsentOrganisationManager = models.Manager.from_queryset(ConsentOrganisationQuerySet)

"""What the apps built on the plan do when the plan's core changes (grep for ``_hooks``).

The plan's core (models, services, access …) never imports the apps that sit on it, such as
the referrals (``childplans.referrals``, pyproject.toml's forbidden contract). Where a change in
the core must reach them, the core calls the functions in these explicit lists, and each app
adds its own from its ``AppConfig.ready()``:

- ``consent_withdrawn_hooks``: ``hook(*, plan, consent, by)`` — called by
  ``services.consent_withdraw`` after the team has lost the members the consent no longer covers
  (the referrals close the open referrals to organisations no consent covers any more);
- ``plan_closed_hooks``: ``hook(*, plan, by)`` — called by ``services.plan_close`` as the plan
  closes, before it is marked closed: what hangs on the plan closes with it through the app's own
  services, which still may change it (``changes.may_change``) (the referrals close the open
  ones; the team meetings cancel the coming ones, METHOD:CANCEL to the participants). After the
  hooks the plan is closed: only the contact person still reaches it, to read
  (``TeamMember.objects.giving_access``), and ``closed_on`` starts the retention clock.

A hook runs inside the service's transaction: what it does is kept or rolled back with the
change, and an exception in it fails the change. A hook changes the plan only through services
(``childplans/changes.py``: the same guard and history as every change)."""

consent_withdrawn_hooks = []
plan_closed_hooks = []


def register(hooks, hook):
    """Add ``hook`` to ``hooks`` once (``AppConfig.ready()`` may run again in tests)."""
    if hook not in hooks:
        hooks.append(hook)
    return hook

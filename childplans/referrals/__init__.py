"""Hänvisning from a plan (issue 13): referrals of a child or family to an activity or a member
organisation, with consent, answered by the organisation's receivers (app label "referrals")."""

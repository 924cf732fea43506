"""Team meeting pages, split by area: ``meeting`` (the plan's meetings, calling, one meeting, its
preparation and agenda), ``minutes`` (the minutes and their actions) and ``answer`` (the public
page behind an e-mail's links).

They are plan pages: every view under a plan declares childplans' ``PlanAccessMixin`` (the plan
through ``ChildPlan.objects.visible_to``, 404 for anyone not on the team, one audit row per
request in the same transaction). The meeting comes from the plan's own rows, so a meeting id of
another plan is a 404. Writes go through ``services``."""

"""Registerutdrag (issue 19, part 4): everything the portal holds about a child, in one download.

- ``collect``: the child's data read from the models the graph finds
  (``childplans.lifecycle.graph.child_data_models``) — a model added later is in the extract
  without anyone listing it — and the access log from the audit table (``id_references``).
- ``render``: the zip — a printable Swedish document, JSON, a CSV per table and a read-me.
- ``services``: producing it, and ``plan_for_administrator``, the one way outside
  ``visible_to`` to reach a plan (an administrator answering a request, audited).
- ``views``: the contact person's page under the plan and the administrator's page."""

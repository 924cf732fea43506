"""The registerutdrag as one zip, built in memory:

- ``registerutdrag.html``: the printable Swedish document (print CSS inside, no outside file);
- ``registerutdrag.json``: machine-readable — every table of the graph, the access log;
- ``csv/<tabell>.csv``: one per table, ``csv/atkomstlogg.csv`` the access log (UTF-8 with a
  byte-order mark and semicolons, as Swedish spreadsheet programs open them);
- ``LASMIG.txt``: what the files are."""

import csv
import io
import json
import zipfile

from django.template.loader import render_to_string
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ACCESS_LOG_COLUMNS = (
    ("at", gettext_lazy("När")), ("who", gettext_lazy("Vem")), ("role", gettext_lazy("Roll")),
    ("organisation", gettext_lazy("Organisation")), ("action_text", gettext_lazy("Händelse")),
    ("what", gettext_lazy("Vad")), ("plan", gettext_lazy("Plan")),
)


def _csv(header, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return "\ufeff" + buffer.getvalue()


def table_csv(table):
    header = [_("Plan")] + [c.heading for c in table.columns] if table.root == "plan" else [c.heading for c in table.columns]
    rows = [([row["plan"]] if table.root == "plan" else []) + row["text"] for row in table.rows]
    return _csv(header, rows)


def access_log_csv(extract):
    header = [str(heading) for _key, heading in ACCESS_LOG_COLUMNS]
    rows = [
        [row["at_text"] if key == "at" else row[key] if row[key] is not None else "" for key, _h in ACCESS_LOG_COLUMNS]
        for row in extract.access_log
    ]
    return _csv(header, rows)


def as_json(extract):
    return json.dumps(
        {
            "registerutdrag": {
                "skapat": extract.made_at.isoformat(),
                "mottagare": extract.recipient,
                "skapat_av": extract.made_by,
                "barn_id": extract.child.pk,
                "planer": [p.pk for p in extract.plans],
            },
            "tabeller": {
                table.label: {
                    "rubrik": table.heading,
                    "falt": {c.name: c.heading for c in table.columns},
                    "rader": [dict(row["json"], _plan=row["plan"]) for row in table.rows],
                }
                for table in extract.tables
            },
            "atkomstlogg": [
                {key: row[key] for key in ACCESS_LOG_JSON_KEYS} | {"at": row["at"].isoformat()} for row in extract.access_log
            ],
        },
        ensure_ascii=False,
    )


ACCESS_LOG_JSON_KEYS = ("id", "who", "organisation", "role", "action", "action_text", "what", "plan")


def access_log_html(extract):
    """The access log's table rows, escaped (``format_html_join``): a long log is rendered in
    one pass rather than cell by cell through the template engine (docs/performance.md)."""
    return format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (row["at_text"], row["who"], row["role"], row["organisation"], row["action_text"], row["what"],
             "" if row["plan"] is None else row["plan"])
            for row in extract.access_log
        ),
    )


def document_context(extract):
    plan_tables = [t for t in extract.tables if t.root == "plan" and t.label != "childplans.ChildPlan"]
    child_tables = [t for t in extract.tables if t.root == "child"]
    plan_table = next(t for t in extract.tables if t.label == "childplans.ChildPlan")
    sections = []
    for plan in extract.plans:
        parts = []
        for table in plan_tables:
            rows = [row["text"] for row in table.rows if row["plan"] == plan.pk]
            if rows:
                parts.append({"heading": table.heading, "columns": [c.heading for c in table.columns], "rows": rows})
        own = [row["text"] for row in plan_table.rows if row["plan"] == plan.pk]
        sections.append({"plan": plan, "columns": [c.heading for c in plan_table.columns], "rows": own, "parts": parts})
    return {
        "extract": extract,
        "child_tables": [
            {"heading": t.heading, "columns": [c.heading for c in t.columns], "rows": [r["text"] for r in t.rows]}
            for t in child_tables
        ],
        "sections": sections,
        "access_log_rows": access_log_html(extract),
    }


def build_zip(extract):
    """The zip's bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("registerutdrag.html", render_to_string("lifecycle/registerutdrag.html", document_context(extract)))
        archive.writestr("registerutdrag.json", as_json(extract))
        for table in extract.tables:
            archive.writestr(f"csv/{table.slug}.csv", table_csv(table))
        archive.writestr("csv/atkomstlogg.csv", access_log_csv(extract))
        archive.writestr(
            "LASMIG.txt",
            render_to_string("lifecycle/registerutdrag_lasmig.txt", {"extract": extract}).replace("\n", "\r\n"),
        )
    return buffer.getvalue()

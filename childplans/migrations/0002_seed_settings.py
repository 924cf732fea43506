from django.db import migrations

PLAN_KEEPING_KINDS = ["kommun", "region", "skola", "polis"]
REASON_CATEGORIES = [
    "Barn som anhöriga",
    "Skolfrånvaro",
    "Oro för hemsituationen",
    "Psykisk ohälsa",
    "Våld i nära relationer",
    "Missbruk i familjen",
    "Ekonomisk utsatthet",
    "Funktionsnedsättning",
    "Annat",
]


def seed(apps, schema_editor):
    PlanKeepingKind = apps.get_model("childplans", "PlanKeepingKind")
    ReasonCategory = apps.get_model("childplans", "ReasonCategory")
    for kind in PLAN_KEEPING_KINDS:
        PlanKeepingKind.objects.get_or_create(kind=kind)
    for name in REASON_CATEGORIES:
        ReasonCategory.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("childplans", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

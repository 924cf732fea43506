from django.db import migrations

TOPICS = [
    ("ANDTS", "Alkohol, narkotika, doping, tobak och spel"),
    ("Våld i nära relationer", ""),
    ("Barn som anhöriga", "Barn vars förälder är allvarligt sjuk, har missbruk eller dör"),
    ("Psykisk hälsa", ""),
    ("Föräldrastöd", ""),
    ("Skolnärvaro", ""),
    ("Ekonomisk utsatthet", ""),
    ("Fritid och föreningsliv", ""),
    ("Nyanlända familjer", ""),
    ("Sekretess och samverkan", ""),
    ("Barnets plan", ""),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("meetings", "Topic")
    for name, description in TOPICS:
        Topic.objects.get_or_create(name=name, defaults={"description": description})


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]

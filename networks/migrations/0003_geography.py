from django.db import migrations


def load(apps, schema_editor):
    from networks.geography import load_geography

    load_geography(apps.get_model("networks", "Lan"), apps.get_model("networks", "Kommun"))


class Migration(migrations.Migration):
    dependencies = [("networks", "0002_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

"""An index on the activity's title: the directory without words lists by title, and at
national size (33,000 activities) sorting them all for the first page cost tens of
milliseconds (docs/performance.md, "The directory at national size")."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("networks", "0007_bounded_dates_and_texts")]

    operations = [
        migrations.AddIndex(
            model_name="activity",
            index=models.Index(fields=["title", "id"], name="activity_title_id"),
        ),
    ]

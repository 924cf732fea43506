# Staff with protected identity: named by organisation and role in a registerutdrag (issue 19).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0005_audit_retention_guard'),
    ]

    operations = [
        migrations.AddField(
            model_name='user',
            name='protected_identity',
            field=models.BooleanField(default=False, help_text='Namnet visas aldrig i registerutdrag, bara organisation och roll.', verbose_name='skyddad identitet'),
        ),
    ]

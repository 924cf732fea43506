# Consent limited in time and purpose (issue 19 part 1; docs/security.md promise 21).
#
# Existing consents are carried forward: the free-text ``purposes`` becomes the optional
# ``note``; the purposes the old consent form implied are set — coordination in the team,
# sharing with the listed organisations and inviting the family (what a consent recorded before
# meant) — referral as ``allows_referral`` said, statistics never (it was never asked);
# ``valid_until`` = given_on + 12 months. A consent not withdrawn whose new end would fall before
# the day of the migration + 30 days is kept valid until then and flagged ``needs_confirmation``:
# the contact person confirms it with the guardian (renews it) rather than the team losing
# access on the day of the upgrade. The numbers are the ones of this migration, not settings:
# a migration must do the same thing whenever it runs.

import calendar
from datetime import timedelta

import django.core.validators
import django.db.models.deletion
import portal.validators
from django.db import migrations, models
from django.utils import timezone

CARRIED_MONTHS = 12
GRACE_DAYS = 30


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def carry_forward(apps, schema_editor):
    Consent = apps.get_model("childplans", "Consent")
    today = timezone.localdate()
    grace = today + timedelta(days=GRACE_DAYS)
    for consent in Consent.objects.all().only("pk", "given_on", "withdrawn_on", "allows_referral").iterator():
        valid_until = add_months(consent.given_on, CARRIED_MONTHS)
        needs_confirmation = False
        if consent.withdrawn_on is None and valid_until < grace:
            valid_until, needs_confirmation = grace, True
        Consent.objects.filter(pk=consent.pk).update(
            for_coordination=True, for_sharing=True, for_family=True, for_referral=consent.allows_referral,
            for_statistics=False, valid_until=valid_until, needs_confirmation=needs_confirmation,
        )
    # PostgreSQL: run the deferred foreign-key checks the updates queued now, so the same
    # transaction may alter the table next ("pending trigger events").
    schema_editor.connection.check_constraints()


def carry_back(apps, schema_editor):
    Consent = apps.get_model("childplans", "Consent")
    Consent.objects.update(allows_referral=models.F("for_referral"))


class Migration(migrations.Migration):

    dependencies = [
        ('childplans', '0006_bounded_dates_and_texts'),
    ]

    operations = [
        migrations.RenameField(model_name='consent', old_name='purposes', new_name='note'),
        migrations.AlterField(
            model_name='consent',
            name='note',
            field=models.TextField(blank=True, max_length=1000, validators=[django.core.validators.MaxLengthValidator(1000)], verbose_name='anteckning om ändamålen'),
        ),
        migrations.AddField(
            model_name='consent',
            name='for_coordination',
            field=models.BooleanField(default=False, verbose_name='Samordning i barnets team'),
        ),
        migrations.AddField(
            model_name='consent',
            name='for_sharing',
            field=models.BooleanField(default=False, verbose_name='Dela namngivna uppgifter med de valda organisationerna'),
        ),
        migrations.AddField(
            model_name='consent',
            name='for_referral',
            field=models.BooleanField(default=False, help_text='Vårdnadshavarna samtycker också till att barnet eller familjen hänvisas till organisationerna, med det som hänvisningen delar.', verbose_name='Hänvisning till nätverkets aktiviteter'),
        ),
        migrations.AddField(
            model_name='consent',
            name='for_family',
            field=models.BooleanField(default=False, verbose_name='Bjuda in familjen till teamets möten'),
        ),
        migrations.AddField(
            model_name='consent',
            name='for_statistics',
            field=models.BooleanField(default=False, verbose_name='Användning i räknad statistik'),
        ),
        migrations.AddField(
            model_name='consent',
            name='needs_confirmation',
            field=models.BooleanField(default=False, verbose_name='behöver bekräftas'),
        ),
        migrations.AddField(
            model_name='consent',
            name='supersedes',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='superseded_by', to='childplans.consent', verbose_name='ersätter'),
        ),
        migrations.AddField(
            model_name='consent',
            name='valid_until',
            field=models.DateField(null=True, verbose_name='gäller till och med'),
        ),
        migrations.RunPython(carry_forward, carry_back),
        migrations.AlterField(
            model_name='consent',
            name='valid_until',
            field=models.DateField(validators=[portal.validators.DateWithin('plan')], verbose_name='gäller till och med'),
        ),
        migrations.RemoveField(model_name='consent', name='allows_referral'),
        migrations.AddConstraint(
            model_name='consent',
            constraint=models.CheckConstraint(condition=models.Q(('valid_until__gte', models.F('given_on'))), name='consent_valid_after_given'),
        ),
        migrations.AddIndex(
            model_name='consent',
            index=models.Index(fields=['plan', 'valid_until'], name='consent_plan_valid_until'),
        ),
    ]

"""Celery: the nightly gallring run (beat ``gallring-nightly``). No arguments; idempotent — a
plan with a receipt is gone, a rerun finds nothing more to do for it."""

from celery import shared_task
from django.conf import settings

from . import gallring


@shared_task(
    time_limit=settings.GALLRING_TIME_LIMIT_SECONDS + 60, soft_time_limit=settings.GALLRING_TIME_LIMIT_SECONDS
)
def gallring_nightly():
    return gallring.run()

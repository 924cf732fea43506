"""The indicators as the beat last counted them (childplans.indicators.count_figures)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IndicatorFigures(models.Model):
    """Counts per län and kommun — active plans, held reviews, reviews where the child took
    part, reviews where the guardians know the plan — raw, before small groups are suppressed
    (``childplans.indicators.arrange`` does that on the page). No child data: nothing here names
    or leads to a plan or a child. The newest row is the one shown; counting again removes the
    older ones."""

    counted_at = models.DateTimeField(_("räknat"), db_index=True)
    # [{"lan", "kommun", "plans", "reviews", "child", "guardians"}], sorted by län and kommun.
    groups = models.JSONField(_("grupper"))
    left_out = models.PositiveIntegerField(_("planer som inte räknas"))

    class Meta:
        verbose_name = _("indikatorer")
        verbose_name_plural = _("indikatorer")

    def __str__(self):
        return f"{self.counted_at:%Y-%m-%d %H:%M}"

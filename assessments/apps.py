from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = _("Tự đánh giá và thẩm định")

    def ready(self) -> None:
        from assessments.services import self_scores_lock
        from criteria.locks import register_score_lock

        # An approved self-assessment locks the year's self-assessed scores for every
        # writer below it (the grid, the Score admin): criteria may not import assessments.
        register_score_lock(self_scores_lock)

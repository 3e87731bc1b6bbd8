from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssignmentsConfig(AppConfig):
    name = "assignments"
    verbose_name = _("Phân công và báo cáo")

    def ready(self) -> None:
        from assignments import notices  # noqa: F401  (the login notice's receiver)

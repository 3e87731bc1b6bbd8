"""What an agency user is told on logging in: the reports Sở Nội vụ returned to the agency."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import ngettext

from assignments.models import Report, Role, user_agency, user_role


@receiver(user_logged_in, dispatch_uid="assignments-returned-reports-notice")
def tell_of_returned_reports(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """After login, a notice when reports of the user's agency wait to be corrected."""
    if request is None or user_role(user) != Role.AGENCY_USER:
        return
    agency = user_agency(user)
    if agency is None:
        return
    count = Report.objects.filter(agency=agency, status=Report.Status.RETURNED).count()
    if count:
        messages.warning(
            request,
            ngettext(
                "%(count)s báo cáo của đơn vị bị Sở Nội vụ trả lại, cần sửa và gửi lại: "
                "xem ở đầu trang Việc của tôi.",
                "%(count)s báo cáo của đơn vị bị Sở Nội vụ trả lại, cần sửa và gửi lại: "
                "xem ở đầu trang Việc của tôi.",
                count,
            )
            % {"count": count},
            fail_silently=True,  # a login without the messages middleware (tests, the shell)
        )

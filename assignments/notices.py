"""What a user who writes an agency's reports is told on logging in: the sections of its
reports that Sở Nội vụ returned."""

from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import ngettext

from assignments.models import Role, user_agency, user_role
from assignments.yearly_summary import returned_section_count

# An agency user, or a Sở Nội vụ staff member bound to Sở Nội vụ, which reports like any
# agency (views.OWN_REPORT_ROLES).
WRITERS = (Role.AGENCY_USER, Role.NOIVU_STAFF)


@receiver(user_logged_in, dispatch_uid="assignments-returned-reports-notice")
def tell_of_returned_reports(sender, request: HttpRequest | None, user, **kwargs) -> None:
    """After login, a notice when sections of the agency's reports wait to be corrected."""
    if request is None or user_role(user) not in WRITERS:
        return
    agency = user_agency(user)
    if agency is None:
        return
    count = returned_section_count(agency)
    if count:
        messages.warning(
            request,
            ngettext(
                "%(count)s phần báo cáo của đơn vị bị Sở Nội vụ trả lại, cần sửa và gửi "
                "lại: xem ở đầu trang Việc của tôi.",
                "%(count)s phần báo cáo của đơn vị bị Sở Nội vụ trả lại, cần sửa và gửi "
                "lại: xem ở đầu trang Việc của tôi.",
                count,
            )
            % {"count": count},
            fail_silently=True,  # a login without the messages middleware (tests, the shell)
        )

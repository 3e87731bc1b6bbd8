"""The links of the main navigation that depend on the user's role."""

from dataclasses import dataclass

from django import template
from django.template import Context

from assignments.models import Role, user_role

register = template.Library()


@dataclass(frozen=True)
class RoleLinks:
    workspace: bool  # "Việc của tôi": an agency's own criteria, tasks and reports
    tracker: bool  # "Theo dõi báo cáo": Sở Nội vụ's tracker, read-only for leaders
    reviews: bool  # "Chờ duyệt": Sở Nội vụ's queue of the reports waiting for review
    users: bool  # "Người dùng": the people page (accounts.users says who may manage whom)
    library: bool  # "Tài liệu kiểm chứng": an agency's own documents; every one for readers
    score_entry: bool  # the score grids are "Nhập điểm" for those who type into them
    self_assessment: bool  # "Tự đánh giá": Sở Nội vụ decides, leaders read and approve
    unit_index: bool  # "Chỉ số các đơn vị": the units' rounds, their appraisal and results


@register.simple_tag(takes_context=True)
def role_links(context: Context) -> RoleLinks:
    """Which role links to show; one query per request at most (user_role keeps its answer)."""
    request = context.get("request")
    role = user_role(request.user) if request is not None else None
    return RoleLinks(
        workspace=role == Role.AGENCY_USER,
        tracker=role in (Role.ADMINISTRATOR, Role.NOIVU_STAFF, Role.LEADER),
        reviews=role in (Role.ADMINISTRATOR, Role.NOIVU_STAFF),
        users=role in (Role.ADMINISTRATOR, Role.NOIVU_STAFF),
        library=role in (Role.AGENCY_USER, Role.ADMINISTRATOR, Role.NOIVU_STAFF, Role.LEADER),
        score_entry=role in (Role.ADMINISTRATOR, Role.NOIVU_STAFF),
        self_assessment=role in (Role.ADMINISTRATOR, Role.NOIVU_STAFF, Role.LEADER),
        unit_index=role is not None,
    )

"""Sở Nội vụ's pages on the agencies' yearly reports: the review queue, the tracker of the
cycle, and one yearly report read section by section, accepted or returned.

Sở Nội vụ staff and administrators review; a leader reads every page without its buttons;
an agency user sees none of them (its own report has its own page).
"""

import datetime
import unicodedata

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assignments.forms import CycleForm, YearlyReviewForm
from assignments.models import Agency, ReportingCycle, Role, YearlyReport, user_role
from assignments.review import (
    NOT_STARTED,
    STATUS_ORDER,
    YearlyReview,
    build_review,
    yearly_progress,
    yearly_queue,
)
from assignments.services import STALE_MESSAGE
from assignments.views import (
    READERS,
    REVIEWERS,
    _get_cycle,
    _own_agency,
    _require_reviewer,
    _warn_if_mail_pending,
)
from assignments.yearly import accept_yearly_report, return_yearly_report
from assignments.yearly_export import reports_version
from criteria.caching import cached_part

# Rows on one page of the queue and of the tracker.
PAGE_SIZE = 100


# -- The review queue ---------------------------------------------------------------------


@require_GET
@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    """The yearly reports sent and waiting for review, the one waiting longest first."""
    _require_reviewer(request)
    page = Paginator(yearly_queue(), PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    page.object_list = list(page.object_list)
    for report in page.object_list:
        report.days_waiting = (today - timezone.localtime(report.submitted_at).date()).days
    return render(request, "assignments/review/review_list.html", {"page": page})


# -- The tracker ---------------------------------------------------------------------------


def _name_key(name: str) -> tuple[str, str]:
    """Vietnamese names in the order of the alphabet's letters, tones and marks aside."""
    letters = unicodedata.normalize("NFD", name.casefold().replace("đ", "d"))
    return "".join(c for c in letters if not unicodedata.combining(c)), name


# The tracker's columns, by the name ?sort= gives them ("-name" the other way round). A
# report not sent yet has no time: it counts as later than every report sent.
TRACKER_SORTS = {
    "agency": lambda row: _name_key(row.agency.name),
    "status": lambda row: STATUS_ORDER[row.status],
    "submitted": lambda row: (row.submitted_at is None, row.submitted_at or 0),
    "filled": lambda row: (row.filled_share, row.filled),
    "deadline": lambda row: row.deadline.date,
}


def _sort_link(column: str, sort: str) -> dict[str, str | None]:
    """The ?sort= of a column's heading link (the other way round when sorted by it), and
    its aria-sort."""
    if sort == column:
        return {"next": f"-{column}", "aria": "ascending"}
    if sort == f"-{column}":
        return {"next": column, "aria": "descending"}
    return {"next": column, "aria": None}


def _page_number(value: str | None) -> int:
    """The page asked for, as Paginator.get_page reads it: junk is the first page."""
    try:
        return max(int(value or 1), 1)
    except ValueError:
        return 1


@require_GET
@login_required
def cycle_detail(request: HttpRequest, year: int) -> HttpResponse:
    """Sở Nội vụ's tracker: each agency's yearly report, the overdue ones first.

    Below its header the page is kept in the cache until a row it shows is written
    (yearly_export.reports_version), per cycle, filter, order, page, day and whether the
    user may send reminders and open cycles: a page read again costs one query after the
    cycle's. What is cached is rendered without the request (no CSRF token)."""
    if user_role(request.user) not in READERS:
        raise PermissionDenied
    cycle = _get_cycle(year)
    kind = request.GET.get("kind", "")
    kind = kind if kind in Agency.Kind.values else None
    sort = request.GET.get("sort", "")
    if sort.removeprefix("-") not in TRACKER_SORTS:
        sort = ""  # junk: the default order, overdue agencies first
    page_number = _page_number(request.GET.get("page"))
    can_open_cycle = user_role(request.user) in REVIEWERS
    today = timezone.localdate()
    template = "assignments/review/cycle_detail.html"

    def build() -> dict[str, str]:
        return {
            "tracker": render_to_string(
                f"{template}#tracker",
                _tracker(cycle, today, kind, sort, page_number, can_open_cycle),
            ),
            # The form to open another cycle, empty: its fields, without the CSRF token.
            "cycle_fields": CycleForm().as_div() if can_open_cycle else "",
        }

    parts = cached_part(
        "cycle-tracker",
        (cycle.pk, kind, sort, page_number, can_open_cycle, today),
        build,
        version=reports_version,
    )
    context = {"cycle": cycle, "can_open_cycle": can_open_cycle, **parts}
    return render(request, template, context)


def _tracker(
    cycle: ReportingCycle,
    today: datetime.date,
    kind: str | None,
    sort: str,
    page_number: int,
    can_open_cycle: bool,
) -> dict:
    """What the tracker shows below its header, rendered without the request: the links
    carry the page's own filter and order (`query`), not the request's other parameters."""
    rows = yearly_progress(cycle, today=today, kind=kind)
    if sort:
        key = TRACKER_SORTS[sort.removeprefix("-")]
        # Stable: equal rows keep the default order, the most urgent first.
        rows = sorted(rows, key=key, reverse=sort.startswith("-"))
    page = Paginator(rows, PAGE_SIZE).get_page(page_number)
    statuses = [row.status for row in rows]
    query = {"sort": sort or None, "kind": kind or None}
    return {
        "cycle": cycle,
        "years": list(
            ReportingCycle.objects.order_by("-year").values_list("year", flat=True).distinct()
        ),
        "query": {name: value for name, value in query.items() if value},
        "rows": page.object_list,
        "page": page,
        "kinds": Agency.Kind.choices,
        "kind": kind,
        "sort": sort,
        "sorting": {column: _sort_link(column, sort) for column in TRACKER_SORTS},
        "totals": {
            "agencies": len(rows),
            **{str(status): statuses.count(status) for status in STATUS_ORDER},
            "overdue": sum(1 for row in rows if row.is_overdue),
        },
        "not_started": NOT_STARTED,
        "can_open_cycle": can_open_cycle,
    }


# -- One yearly report under review --------------------------------------------------------


def _own_report_page(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """An agency user asking for a review page: its own report's page, else 404."""
    agency = _own_agency(request)
    if agency is None or agency.pk != pk:
        raise Http404
    if request.method != "GET":
        raise PermissionDenied  # an agency does not review, not even its own report
    try:
        return redirect(reverse("assignments:yearly-report", args=[year]))
    except NoReverseMatch:
        raise PermissionDenied from None


def _get_yearly_report_for_user(
    request: HttpRequest, cycle: ReportingCycle, agency: Agency
) -> YearlyReport | None:
    """The agency's report for the cycle (readers only), None while the agency has not
    opened it."""
    if user_role(request.user) not in READERS:
        raise PermissionDenied
    reports = YearlyReport.objects.select_related("cycle__plan", "agency")
    return reports.filter(cycle=cycle, agency=agency).first()


@require_http_methods(["GET", "POST"])
@login_required
def yearly_review(request: HttpRequest, year: int, pk: int) -> HttpResponse:
    """One agency's yearly report, every section read-only, with a comment box per section
    for Sở Nội vụ, who accepts it or returns the sections commented on."""
    if user_role(request.user) == Role.AGENCY_USER:
        return _own_report_page(request, year, pk)
    if request.method == "POST":
        _require_reviewer(request)  # a leader reads and never acts
    cycle = _get_cycle(year)
    agency = get_object_or_404(Agency, pk=pk)
    report = _get_yearly_report_for_user(request, cycle, agency)
    if report is None:
        if request.method != "GET":
            raise Http404
        context = {"cycle": cycle, "agency": agency}
        return render(request, "assignments/review/yearly_none.html", context)
    review = build_review(report, today=timezone.localdate())
    if request.method == "GET":
        return _render_review(request, review)
    form = YearlyReviewForm(request.POST, keys=review.keys)
    if not form.is_valid():
        if "version" in form.errors:  # no version: a page from before the report changed
            messages.error(request, STALE_MESSAGE)
            return redirect("assignments:yearly-review", year=year, pk=pk)
        return _render_review(request, review, form=form)
    if form.cleaned_data["version"] != report.version:
        messages.error(request, STALE_MESSAGE)
        return redirect("assignments:yearly-review", year=year, pk=pk)
    if request.POST.get("action") == YearlyReviewForm.RETURN:
        return _return(request, review, form)
    return _accept(request, review, form)


def _accept(request: HttpRequest, review: YearlyReview, form: YearlyReviewForm) -> HttpResponse:
    report = review.report
    if form.comments():
        form.add_error(
            None,
            _(
                "Đã ghi nhận xét cho một số phần: bấm “Trả lại để đơn vị sửa” để gửi các nhận "
                "xét đó, hoặc xóa nhận xét rồi mới chấp nhận báo cáo."
            ),
        )
        return _render_review(request, review, form=form)
    try:
        accept_yearly_report(
            report=report,
            by=request.user,
            version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Đã chấp nhận báo cáo năm của %(agency)s.") % {"agency": report.agency}
        )
        _warn_if_mail_pending(request, report.agency)
    return redirect("assignments:yearly-review", year=report.cycle.year, pk=report.agency_id)


def _return(request: HttpRequest, review: YearlyReview, form: YearlyReviewForm) -> HttpResponse:
    report = review.report
    comments = form.comments()
    if not comments:
        form.add_error(
            None,
            _(
                "Chưa trả lại được: hãy ghi nhận xét cho ít nhất một phần cần đơn vị sửa. "
                "Chỉ các phần có nhận xét được mở lại cho đơn vị."
            ),
        )
        return _render_review(request, review, form=form)
    try:
        return_yearly_report(
            report=report,
            by=request.user,
            version=form.cleaned_data["version"],
            comments=comments,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Đã trả lại %(count)s phần của báo cáo năm cho %(agency)s.")
            % {"count": len(comments), "agency": report.agency},
        )
        _warn_if_mail_pending(request, report.agency)
    return redirect("assignments:yearly-review", year=report.cycle.year, pk=report.agency_id)


def _render_review(
    request: HttpRequest, review: YearlyReview, *, form: YearlyReviewForm | None = None
) -> HttpResponse:
    report = review.report
    can_review = (
        report.status == YearlyReport.Status.SUBMITTED and user_role(request.user) in REVIEWERS
    )
    if can_review and form is None:
        form = YearlyReviewForm.for_report(report, review.keys)
    form = form if can_review else None
    # Each section with its comment box, when there is one to fill.
    boxes = {key: form.comment_field(key) for key in review.keys} if form else {}
    context = {
        "review": review,
        "report": report,
        "form": form,
        "lead_tasks": [(s, boxes.get(s.key)) for s in review.lead_tasks],
        "coordinated_tasks": [(s, boxes.get(s.key)) for s in review.coordinated_tasks],
        "proposals": [(s, boxes.get(s.key)) for s in review.proposals],
        "general_box": boxes.get(review.general_key),
    }
    return render(request, "assignments/review/yearly_review.html", context)

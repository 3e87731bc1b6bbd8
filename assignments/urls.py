from django.urls import path

from assignments import review_views, views, yearly_views

app_name = "assignments"

urlpatterns = [
    # Who acts on each criterion, and the tasks of section II.
    path(
        "responsibilities/<int:pk>/edit/",
        views.responsibility_edit,
        name="responsibility-edit",
    ),
    path("plans/<int:pk>/tasks/", views.task_list, name="task-list"),
    path("tasks/<int:pk>/edit/", views.task_edit, name="task-edit"),
    # The agencies' reports: workspace, report pages, evidence, Sở Nội vụ's tracker.
    path("workspace/", views.workspace, name="workspace"),
    path("cycles/", views.cycle_current, name="cycle-current"),
    path("cycles/create/", views.cycle_create, name="cycle-create"),
    path("cycles/<int:year>/", review_views.cycle_detail, name="cycle-detail"),
    path("cycles/<int:year>/export.xlsx", views.cycle_export, name="cycle-export"),
    path("cycles/<int:year>/agencies/<int:pk>/", views.agency_detail, name="agency-detail"),
    path(
        "cycles/<int:year>/agencies/<int:pk>/extension/",
        views.extension_create,
        name="extension-create",
    ),
    path(
        "cycles/<int:year>/agencies/<int:pk>/reminder/",
        views.reminder_create,
        name="reminder-create",
    ),
    path(
        "cycles/<int:year>/tasks/<int:task_pk>/report/",
        views.report_create,
        name="report-create",
    ),
    path("reviews/", review_views.review_list, name="review-list"),
    path(
        "yearly/<int:year>/agencies/<int:pk>/",
        review_views.yearly_review,
        name="yearly-review",
    ),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/history/", views.report_history, name="report-history"),
    path("reports/<int:pk>/update/", views.report_update, name="report-update"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence-download"),
    # The agency's library of evidence documents.
    path("documents/", views.document_list, name="document-list"),
    path("documents/create/", views.document_create, name="document-create"),
    path("documents/<int:pk>/edit/", views.document_edit, name="document-edit"),
    path("documents/<int:pk>/file/", views.document_download, name="document-download"),
    # The agency's yearly report: every section on one page, sent as a whole.
    path("yearly/<int:year>/", yearly_views.yearly_report, name="yearly-report"),
    path("yearly/<int:year>/general/", yearly_views.general_update, name="yearly-general"),
    path("yearly/<int:year>/send/", yearly_views.yearly_send, name="yearly-send"),
    path(
        "yearly/<int:year>/proposals/<int:pk>/",
        yearly_views.proposal_update,
        name="yearly-proposal",
    ),
]

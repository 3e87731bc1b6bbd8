from django.urls import path

from reports import appraisal_views, document_views, standing_views, unit_views, views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("public/", views.public_overview, name="public-overview"),
    path("standing/", standing_views.standing, name="standing"),
    path("standing/province.json", standing_views.province_results_json, name="standing-json"),
    path(
        "standing/<int:year>.json", standing_views.national_table_json, name="national-table-json"
    ),
    path("scores/<int:year>/", views.score_grid, name="score-grid"),
    path("scores/<int:year>/<int:criterion_pk>/", views.score_save, name="score-save"),
    path("scores/<int:year>/final/", views.year_final, name="year-final"),
    path("gaps/<int:year>/", views.gap_dashboard, name="gap-dashboard"),
    path("results/<int:year>/export.xlsx", views.results_export, name="results-export"),
    path("results/<int:year>/print/", views.results_print, name="results-print"),
    path("route/<int:year>/", views.route_to_target, name="route"),
    path("agencies/<int:year>/", views.agency_stakes, name="agency-stakes"),
    path("appraisal/<int:year>/", appraisal_views.appraisal, name="appraisal"),
    path(
        "appraisal/<int:year>/export.xlsx",
        appraisal_views.appraisal_export,
        name="appraisal-export",
    ),
    path(
        "evidence/<int:year>/package.zip",
        appraisal_views.evidence_package,
        name="evidence-package",
    ),
    path(
        "documents/<int:year>/<slug:kind>.<slug:fmt>",
        document_views.document_download,
        name="document-download",
    ),
    path("units/<int:year>/", unit_views.unit_results, name="unit-results"),
    path("units/<int:year>/<int:agency_pk>/", unit_views.unit_detail, name="unit-detail"),
]

from django.urls import path

from assessments import unit_views, views

app_name = "assessments"

urlpatterns = [
    # The province's self-assessment of a year.
    path("", views.assessment_current, name="assessment-current"),
    path("<int:year>/", views.assessment_detail, name="assessment-detail"),
    path(
        "<int:year>/criteria/<int:criterion_pk>/decide/",
        views.entry_decide,
        name="entry-decide",
    ),
    path("<int:year>/adopt/", views.assessment_adopt, name="assessment-adopt"),
    path("<int:year>/approve/", views.assessment_approve, name="assessment-approve"),
    path("<int:year>/unlock/", views.assessment_unlock, name="assessment-unlock"),
]

# The province's index of its units: rounds, a unit's assessment, its appraisal.
urlpatterns += [
    path("units/", unit_views.round_list, name="unit-rounds"),
    path("units/<int:round_pk>/", unit_views.round_detail, name="unit-round"),
    path("units/<int:round_pk>/publish/", unit_views.round_publish, name="unit-round-publish"),
    path(
        "units/<int:round_pk>/<int:agency_pk>/",
        unit_views.assessment_detail,
        name="unit-assessment",
    ),
    path(
        "units/<int:round_pk>/<int:agency_pk>/start/",
        unit_views.assessment_start,
        name="unit-assessment-start",
    ),
    path(
        "units/<int:round_pk>/<int:agency_pk>/<slug:step>/",
        unit_views.assessment_step,
        name="unit-assessment-step",
    ),
    path("units/entries/<int:entry_pk>/save/", unit_views.entry_save, name="unit-entry-save"),
    path(
        "units/entries/<int:entry_pk>/appraise/",
        unit_views.entry_appraise,
        name="unit-entry-appraise",
    ),
    path(
        "units/entries/<int:entry_pk>/respond/",
        unit_views.entry_respond,
        name="unit-entry-respond",
    ),
    path("units/entries/<int:entry_pk>/final/", unit_views.entry_final, name="unit-entry-final"),
]

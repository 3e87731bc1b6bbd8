from django.urls import path

from assessments import views

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

from django.urls import path

from criteria import views

app_name = "criteria"

urlpatterns = [
    path("plans/", views.plan_detail_current, name="plan-detail-current"),
    path("criteria/<int:pk>/history/", views.criterion_history, name="criterion-history"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path(
        "plans/<int:pk>/appendix.xlsx",
        views.plan_appendix_download,
        name="plan-appendix-download",
    ),
]

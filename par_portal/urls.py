from django.contrib import admin
from django.urls import include, path

from assignments.views import home

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/2fa/", include("assignments.twofactor_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("reports/", include("reports.urls")),
    path("work/", include("assignments.urls")),
    path("", include("criteria.urls")),
    path("", home, name="home"),
]

admin.site.site_header = "PAR Portal"
admin.site.site_title = "PAR Portal"

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from assignments.views import home

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers ask for /favicon.ico on their own (downloads, the admin's error pages).
    path(
        "favicon.ico",
        RedirectView.as_view(url=f"{settings.STATIC_URL}img/favicon.svg", permanent=True),
    ),
    path("admin/", admin.site.urls),
    path("accounts/2fa/", include("accounts.twofactor_urls")),
    path("accounts/users/", include("accounts.urls")),
    path("accounts/", include("accounts.login_urls")),
    path("reports/", include("reports.urls")),
    path("assessments/", include("assessments.urls")),
    path("work/", include("assignments.urls")),
    path("", include("criteria.urls")),
    path("", home, name="home"),
]

handler400 = "par_portal.errors.bad_request"

admin.site.site_header = "PAR Portal"
admin.site.site_title = "PAR Portal"

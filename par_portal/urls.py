from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/2fa/", include("accounts.twofactor_urls")),
    path("accounts/users/", include("accounts.urls")),
    path("accounts/", include("accounts.login_urls")),
    path("reports/", include("reports.urls")),
    path("work/", include("assignments.urls")),
    path("", include("criteria.urls")),
    path("", RedirectView.as_view(pattern_name="criteria:plan-detail-current"), name="home"),
]

handler400 = "par_portal.errors.bad_request"

admin.site.site_header = "PAR Portal"
admin.site.site_title = "PAR Portal"

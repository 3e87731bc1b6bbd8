from django.urls import path

from accounts import twofactor

app_name = "twofactor"

urlpatterns = [
    path("", twofactor.device_detail, name="device-detail"),
    path("create/", twofactor.device_create, name="device-create"),
    path("confirm/", twofactor.device_confirm, name="device-confirm"),
    path("delete/", twofactor.device_delete, name="device-delete"),
    path("verify/", twofactor.login_verify, name="login-verify"),
]

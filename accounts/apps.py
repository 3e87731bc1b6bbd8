from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_otp.plugins.otp_totp.apps import DefaultConfig as TOTPAppConfig


class AccountsConfig(AppConfig):
    default = True  # the module holds the login-security apps' configs too
    name = "accounts"
    verbose_name = _("Tài khoản")

    def ready(self) -> None:
        from accounts import security  # noqa: F401  (connects the security log)


# The login-security apps as the admin names them: django-axes and django-otp give their
# apps no name (the admin shows "Axes", "Otp_Totp"), and django-otp names its device in
# English without gettext. Installed in INSTALLED_APPS in place of the apps' own configs.


class AxesConfig(AxesAppConfig):
    default = False
    verbose_name = _("Chống dò mật khẩu")


class TOTPConfig(TOTPAppConfig):
    default = False
    verbose_name = _("Xác thực hai bước")

    def ready(self) -> None:
        super().ready()
        meta = self.get_model("TOTPDevice")._meta
        # Only the names shown: Meta's declared options (original_attrs), which migrations
        # compare, stay django-otp's, so no migration of a third-party app follows.
        meta.verbose_name = _("thiết bị xác thực hai bước")
        meta.verbose_name_plural = pgettext_lazy("plural", "thiết bị xác thực hai bước")

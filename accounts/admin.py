from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

# django-otp's own admin shows and edits each device's secret, and draws its QR code: any
# administrator could copy a colleague's second factor. Here devices are listed and deleted
# (a lost phone), never read or changed.
admin.site.unregister(TOTPDevice)


@admin.register(TOTPDevice)
class TOTPDeviceAdmin(admin.ModelAdmin):
    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "name"]
    list_select_related = ["user"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A device is set up by its owner, who scans the secret on "Bảo mật tài khoản".
        return False

    def has_change_permission(self, request: HttpRequest, obj: TOTPDevice | None = None) -> bool:
        return False


# Django's user admin lets anyone with "change user" tick "superuser status", on their own
# account too, and edit a superuser's email (then take it over by a password reset). The
# portal's rule (accounts.users) holds here as well: only a superuser edits a superuser or
# gives superuser status and individual permissions.
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(UserAdmin):
    SUPERUSER_ONLY = ("is_superuser", "user_permissions")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple:
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else readonly + self.SUPERUSER_ONLY

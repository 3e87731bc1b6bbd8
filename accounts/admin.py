from django.contrib import admin
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

"""The one form that creates or edits a user: name, email, role and agency together."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.users import manageable_roles, role_of
from assignments.models import Agency, Role, user_role


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, agency: Agency) -> str:
        return agency.name if agency.is_active else _("%(name)s (đã ngừng)") % {"name": agency}


class UserForm(forms.ModelForm):
    """A user as the people page shows it. The role decides the groups and the admin access."""

    role = forms.TypedChoiceField(label=_("Vai trò"), coerce=Role, required=False)
    agency = AgencyChoiceField(
        label=_("Đơn vị"),
        queryset=Agency.objects.none(),
        required=False,
        empty_label=_("— Không gắn đơn vị —"),
        help_text=_("Bắt buộc với cán bộ đơn vị; để trống với các vai trò khác."),
    )

    class Meta:
        model = get_user_model()
        fields = ["username", "first_name", "email", "is_active"]
        labels = {
            "username": _("Tên đăng nhập"),
            "first_name": _("Họ và tên"),
            "email": _("Thư điện tử"),
            "is_active": _("Đang hoạt động"),
        }
        help_texts = {
            "username": _("Chữ, số và các ký tự @ . + - _; không đổi được sau khi tạo."),
            "email": _("Người dùng đặt mật khẩu qua “Quên mật khẩu?” bằng địa chỉ này."),
            "is_active": _("Bỏ chọn để khóa tài khoản của người đã nghỉ hoặc chuyển công tác."),
        }

    def __init__(self, *args, manager: AbstractUser, agency: Agency | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.manager = manager
        roles = manageable_roles(manager)
        self.fields["role"].choices = [("", _("— Theo đơn vị —"))] + [
            (role.value, role.label) for role in roles
        ]
        agencies = Agency.objects.filter(is_active=True)
        if agency is not None:
            agencies = agencies | Agency.objects.filter(pk=agency.pk)
        self.fields["agency"].queryset = agencies.order_by("name")
        self.fields["first_name"].required = True
        self.fields["first_name"].max_length = 150
        self.fields["email"].required = True
        if self.instance.pk is None:
            del self.fields["is_active"]
        else:
            self.fields["username"].disabled = True
            if user_role(manager) != Role.ADMINISTRATOR:
                # Whoever sets an account's email can take the account over through the
                # password reset: only administrators change it once the account exists.
                self.fields["email"].disabled = True
                self.fields["email"].help_text = _(
                    "Chỉ quản trị viên đổi được thư điện tử của một tài khoản đã có."
                )
            self.initial.setdefault("role", role_of(self.instance))
            self.initial.setdefault("agency", agency)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        others = get_user_model().objects.exclude(pk=self.instance.pk)
        if others.filter(email__iexact=email).exists():
            raise ValidationError(_("Địa chỉ thư này đã được dùng cho một tài khoản khác."))
        return email

    def clean(self) -> dict:
        cleaned = super().clean()
        role, agency = cleaned.get("role"), cleaned.get("agency")
        if not role and agency is not None:
            # Choosing an agency is enough: its people are agency users.
            role = cleaned["role"] = Role.AGENCY_USER
        if not role and "role" not in self.errors:
            self.add_error("role", _("Chọn vai trò, hoặc chọn đơn vị cho cán bộ đơn vị."))
        elif role == Role.AGENCY_USER and agency is None:
            self.add_error("agency", _("Cán bộ đơn vị phải thuộc một đơn vị: chọn đơn vị."))
        elif role not in (Role.AGENCY_USER, Role.NOIVU_STAFF) and agency is not None:
            # Sở Nội vụ's staff may belong to Sở Nội vụ, which reports on its year as an agency.
            self.add_error(
                "agency",
                _("Vai trò “%(role)s” không gắn với đơn vị: để trống ô Đơn vị.")
                % {"role": role.label},
            )
        if (
            self.instance.pk is not None
            and self.instance.is_superuser
            and role
            and role != Role.ADMINISTRATOR
        ):
            self.add_error(
                "role",
                _("Tài khoản siêu quản trị luôn là Quản trị viên; đổi trong trang Quản trị."),
            )
        if self.instance.pk == self.manager.pk and cleaned.get("is_active") is False:
            self.add_error("is_active", _("Không thể tự khóa tài khoản của chính mình."))
        return cleaned

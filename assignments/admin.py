from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from assignments.forms import TaskTargetForm
from assignments.matching import AgencyRegistry
from assignments.models import (
    Agency,
    AgencyAlias,
    AgencyGroup,
    AgencyGroupAlias,
    ContentArea,
    Membership,
    Reminder,
    ReportingCycle,
    Responsibility,
    Task,
    TaskTarget,
)


def check_name_is_free(text: str, own: Model | None) -> None:
    """Refuse a name that already calls another agency or group: matching could not choose."""
    owner = AgencyRegistry.load().owner(text)
    if owner is not None and owner != own:
        raise ValidationError(
            _("“%(text)s” đã là tên gọi của %(owner)s."),
            params={"text": text, "owner": owner},
        )


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "short_name", "kind", "parent", "is_active"]

    def clean_name(self) -> str:
        check_name_is_free(self.cleaned_data["name"], self.instance)
        return self.cleaned_data["name"]

    def clean_short_name(self) -> str:
        check_name_is_free(self.cleaned_data["short_name"], self.instance)
        return self.cleaned_data["short_name"]


class AgencyAliasForm(forms.ModelForm):
    class Meta:
        model = AgencyAlias
        fields = ["text"]

    def clean_text(self) -> str:
        own = self.instance.agency if self.instance.agency_id else None
        check_name_is_free(self.cleaned_data["text"], own)
        return self.cleaned_data["text"]


class AgencyAliasInline(admin.TabularInline):
    model = AgencyAlias
    form = AgencyAliasForm
    extra = 1


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    form = AgencyForm
    inlines = [AgencyAliasInline]
    list_display = ["name", "short_name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name", "aliases__text"]
    autocomplete_fields = ["parent"]


class AgencyGroupForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("Gồm các loại đơn vị"),
        choices=Agency.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=AgencyGroup._meta.get_field("kinds").help_text,
    )

    class Meta:
        model = AgencyGroup
        fields = ["name", "kinds", "agencies"]

    def clean_name(self) -> str:
        check_name_is_free(self.cleaned_data["name"], self.instance)
        return self.cleaned_data["name"]


class AgencyGroupAliasForm(forms.ModelForm):
    class Meta:
        model = AgencyGroupAlias
        fields = ["text"]

    def clean_text(self) -> str:
        own = self.instance.group if self.instance.group_id else None
        check_name_is_free(self.cleaned_data["text"], own)
        return self.cleaned_data["text"]


class AgencyGroupAliasInline(admin.TabularInline):
    model = AgencyGroupAlias
    form = AgencyGroupAliasForm
    extra = 1


@admin.register(AgencyGroup)
class AgencyGroupAdmin(admin.ModelAdmin):
    form = AgencyGroupForm
    inlines = [AgencyGroupAliasInline]
    list_display = ["name", "kinds_display"]
    search_fields = ["name", "aliases__text"]
    filter_horizontal = ["agencies"]

    @admin.display(description=_("gồm các loại đơn vị"))
    def kinds_display(self, group: AgencyGroup) -> str:
        labels = dict(Agency.Kind.choices)
        return ", ".join(str(labels.get(kind, kind)) for kind in group.kinds)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency"]
    list_filter = ["agency__kind"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    autocomplete_fields = ["user", "agency"]
    list_select_related = ["user", "agency"]


# -- Who acts on each criterion, and the tasks of section II ------------------------------


@admin.register(Responsibility)
class ResponsibilityAdmin(SimpleHistoryAdmin):
    list_display = ["criterion", "plan", "lead", "is_recognised", "is_edited"]
    list_filter = ["plan", "is_recognised", "is_edited", "lead"]
    search_fields = ["criterion__code", "criterion__title", "lead__name"]
    autocomplete_fields = ["lead"]
    filter_horizontal = ["supporting", "groups"]
    list_select_related = ["criterion", "plan", "lead"]

    def get_readonly_fields(self, request, obj: Responsibility | None = None) -> list[str]:
        # Whether the text names an agency is read from it, never typed in.
        return ["plan", "criterion", "is_recognised"] if obj else ["is_recognised"]

    def save_model(self, request, obj: Responsibility, form, change: bool) -> None:
        # A change by hand is kept by later imports, as in the browser.
        obj.is_edited = True
        super().save_model(request, obj, form, change)


@admin.register(ContentArea)
class ContentAreaAdmin(admin.ModelAdmin):
    """Content areas keep no history of their own: the admin's log is their history."""

    list_display = ["number", "title", "plan"]
    list_filter = ["plan"]
    search_fields = ["title"]


class TaskTargetInline(admin.TabularInline):
    model = TaskTarget
    form = TaskTargetForm
    extra = 0
    fields = ["description", "comparator", "value", "value_max", "unit", "first_year", "last_year"]


@admin.register(Task)
class TaskAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "content_area"]
    list_filter = ["content_area__plan", "content_area"]
    search_fields = ["text"]
    filter_horizontal = [
        "lead_agencies",
        "coordinating_agencies",
        "coordinating_groups",
        "criteria",
    ]
    list_select_related = ["content_area"]
    inlines = [TaskTargetInline]


# -- The yearly reporting cycles ----------------------------------------------------------


@admin.register(ReportingCycle)
class ReportingCycleAdmin(SimpleHistoryAdmin):
    """Where a year's deadline is moved; cycles are opened and extensions granted in the
    tracker, whose services check and tell the agencies."""

    list_display = ["year", "plan", "deadline"]
    list_filter = ["plan"]

    def get_changeform_initial_data(self, request) -> dict:
        initial = super().get_changeform_initial_data(request)
        year = timezone.localdate().year
        return {"year": year, "deadline": ReportingCycle.default_deadline(year)} | initial


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The log of reminder mails: read only, written by send_reminders."""

    list_display = ["sent_on", "cycle", "agency", "recipients"]
    list_filter = ["sent_on", "cycle"]
    list_select_related = ["cycle", "agency"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

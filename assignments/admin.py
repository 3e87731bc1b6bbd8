from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Model
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.admin import ImportExportMixin
from simple_history.admin import SimpleHistoryAdmin

from assignments.forms import TaskTargetForm
from assignments.matching import AgencyRegistry
from assignments.models import (
    Agency,
    AgencyAlias,
    AgencyGroup,
    AgencyGroupAlias,
    ContentArea,
    Exemption,
    Membership,
    OutgoingMail,
    Reminder,
    ReportingCycle,
    Responsibility,
    Task,
    TaskTarget,
    UnitCluster,
    name_key,
)
from criteria.admin import CheckedXLSX, PreviewedUploadsMixin


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


class AgencyKindWidget(widgets.Widget):
    """The kind by its Vietnamese name ("UBND cấp xã"), or by its code ("commune")."""

    def clean(self, value: object, row: dict | None = None, **kwargs) -> str:
        text = str(value or "").strip()
        kinds = {kind: kind for kind in Agency.Kind.values}
        kinds |= {name_key(str(label)): kind for kind, label in Agency.Kind.choices}
        with translation.override("vi"):  # the file's words, whatever the reader's language
            kinds |= {name_key(str(label)): kind for kind, label in Agency.Kind.choices}
        if name_key(text) in kinds:
            return kinds[name_key(text)]
        raise ValueError(
            gettext("Không có loại đơn vị “%(kind)s”. Các loại: %(kinds)s.")
            % {"kind": text, "kinds": ", ".join(str(label) for _k, label in Agency.Kind.choices)}
        )

    def render(self, value: str | None, obj: Model | None = None, **kwargs) -> str:
        with translation.override("vi"):
            return str(Agency.Kind(value).label) if value else ""


class ParentAgencyWidget(widgets.Widget):
    """The agency a row belongs to, by its full name; one above it in the file counts too."""

    def clean(self, value: object, row: dict | None = None, **kwargs) -> Agency | None:
        text = str(value or "").strip()
        if not text:
            return None
        found = Agency.objects.filter(name=text).first()
        if found is None:
            raise ValueError(
                gettext("Không có đơn vị “%(name)s” để trực thuộc: hãy ghi đúng tên đầy đủ.")
                % {"name": text}
            )
        return found

    def render(self, value: Agency | None, obj: Model | None = None, **kwargs) -> str:
        return value.name if value else ""


# The registry file's columns, as the province's offices head them; the same in every language
# so that an exported file imports back unchanged.
AGENCY_COLUMNS = {
    "name": "Tên đơn vị",
    "short_name": "Tên viết tắt",
    "kind": "Loại đơn vị",
    "parent": "Trực thuộc",
}


class AgencyResource(resources.ModelResource):
    """The agency registry as a spreadsheet: communes under their districts, public service
    units, … A file with any bad row writes nothing."""

    name = fields.Field(attribute="name", column_name=AGENCY_COLUMNS["name"])
    short_name = fields.Field(attribute="short_name", column_name=AGENCY_COLUMNS["short_name"])
    kind = fields.Field(
        attribute="kind", column_name=AGENCY_COLUMNS["kind"], widget=AgencyKindWidget()
    )
    parent = fields.Field(
        attribute="parent", column_name=AGENCY_COLUMNS["parent"], widget=ParentAgencyWidget()
    )

    class Meta:
        model = Agency
        fields = ("name", "short_name", "kind", "parent")
        import_id_fields = ("name",)
        clean_model_instances = True
        use_transactions = True
        skip_unchanged = True
        report_skipped = True

    def before_import(self, dataset, **kwargs) -> None:
        self._registry = AgencyRegistry.load()

    def validate_instance(
        self, instance: Agency, import_validation_errors=None, validate_unique: bool = True
    ) -> None:
        errors = dict(import_validation_errors or {})
        for field in ("name", "short_name"):
            text = getattr(instance, field)
            owner = self._registry.owner(text) if text else None
            if owner is not None and not (isinstance(owner, Agency) and owner.pk == instance.pk):
                errors.setdefault(field, []).append(
                    gettext("“%(text)s” đã là tên gọi của %(owner)s.")
                    % {"text": text, "owner": owner}
                )
        super().validate_instance(instance, errors, validate_unique)


@admin.register(Agency)
class AgencyAdmin(PreviewedUploadsMixin, ImportExportMixin, admin.ModelAdmin):
    form = AgencyForm
    inlines = [AgencyAliasInline]
    resource_classes = [AgencyResource]
    formats = [CheckedXLSX]
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
    list_display = ["criterion", "plan", "basis", "is_recognised", "is_confirmed", "is_edited"]
    list_filter = ["plan", "basis", "is_recognised", "is_confirmed", "is_edited", "leads"]
    search_fields = ["criterion__code", "criterion__title", "leads__name"]
    filter_horizontal = ["leads", "lead_groups", "supporting", "groups"]
    list_select_related = ["criterion", "plan"]

    actions = ["confirm_owners"]

    @admin.action(
        description=_("Xác nhận đơn vị chủ trì đề xuất của các phân công đã chọn"),
        permissions=["change"],
    )
    def confirm_owners(self, request, queryset) -> None:
        chosen = list(queryset.filter(is_confirmed=False))
        for responsibility in chosen:
            # Kept by later imports, as a confirmation in the browser; one history record each.
            responsibility.is_confirmed = responsibility.is_edited = True
            responsibility._history_user = request.user
            responsibility.save(update_fields=["is_confirmed", "is_edited"])
        self.message_user(
            request,
            gettext("Đã xác nhận %(count)d phân công.") % {"count": len(chosen)},
        )

    def get_readonly_fields(self, request, obj: Responsibility | None = None) -> list[str]:
        # Whether the text names an agency is read from it, never typed in.
        return ["plan", "criterion", "is_recognised"] if obj else ["is_recognised"]

    def save_model(self, request, obj: Responsibility, form, change: bool) -> None:
        # A change by hand is kept by later imports and confirms the owners, as in the browser.
        obj.is_edited = True
        obj.is_confirmed = True
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


@admin.register(OutgoingMail)
class OutgoingMailAdmin(admin.ModelAdmin):
    """The outbox: read only; send_outbox and send_reminders send what is pending."""

    list_display = ["created_at", "to", "subject", "sent_at", "attempts"]
    list_filter = [("sent_at", admin.EmptyFieldListFilter), "agency"]
    search_fields = ["to", "subject"]
    list_select_related = ["agency"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# -- The province's index of its units: exemptions and ranking clusters -------------------


@admin.register(Exemption)
class ExemptionAdmin(SimpleHistoryAdmin):
    list_display = ["agency", "criterion", "framework", "reason"]
    list_filter = ["criterion__framework", "agency__kind"]
    search_fields = ["agency__name", "criterion__code", "criterion__title"]
    autocomplete_fields = ["agency"]
    raw_id_fields = ["criterion"]
    list_select_related = ["agency", "criterion__framework"]

    @admin.display(description=_("bộ chỉ số"), ordering="criterion__framework")
    def framework(self, exemption: Exemption) -> str:
        return str(exemption.criterion.framework)


class UnitClusterForm(forms.ModelForm):
    class Meta:
        model = UnitCluster
        fields = ["year", "unit_type", "name", "position", "description", "members"]

    def clean(self) -> dict:
        cleaned = super().clean()
        year, unit_type = cleaned.get("year"), cleaned.get("unit_type")
        if year is not None and unit_type:
            cluster = UnitCluster(pk=self.instance.pk, year=year, unit_type=unit_type)
            try:
                cluster.check_members(list(cleaned.get("members") or []))
            except ValidationError as error:
                self.add_error("members", error)
        return cleaned


@admin.register(UnitCluster)
class UnitClusterAdmin(admin.ModelAdmin):
    form = UnitClusterForm
    list_display = ["name", "year", "unit_type", "position", "member_count"]
    list_filter = ["year", "unit_type"]
    search_fields = ["name", "members__name"]
    filter_horizontal = ["members"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_total=Count("members"))

    @admin.display(description=_("số đơn vị"), ordering="member_total")
    def member_count(self, cluster: UnitCluster) -> int:
        return cluster.member_total

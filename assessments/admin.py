from django.contrib import admin
from django.db.models import ForeignKey
from django.forms import ModelChoiceField
from django.http import HttpRequest

from assessments.models import AssessmentRound, CouncilAssignment, RoundExtension
from assignments.models import Agency, Role
from criteria.models import Criterion, Framework


class RoundExtensionInline(admin.TabularInline):
    model = RoundExtension
    extra = 0

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs
    ) -> ModelChoiceField:
        if db_field.name == "agency":
            kwargs["queryset"] = Agency.objects.filter(kind__in=Framework.UnitType.values)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CouncilAssignmentInline(admin.TabularInline):
    model = CouncilAssignment
    extra = 0

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs
    ) -> ModelChoiceField:
        if db_field.name == "member":
            kwargs["queryset"] = db_field.related_model.objects.filter(
                groups__name=Role.COUNCIL_MEMBER.value
            )
        if db_field.name == "area":
            kwargs["queryset"] = (
                Criterion.objects.areas()
                .filter(framework__in=Framework.objects.for_units())
                .select_related("framework")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(AssessmentRound)
class AssessmentRoundAdmin(admin.ModelAdmin):
    """Sở Nội vụ opens a round per year and unit type, grants extensions and names the
    council members appraising each area; publishing is the leader's, on the round's page."""

    list_display = ["year", "unit_type", "framework", "opens_on", "deadline", "is_published"]
    list_filter = ["year", "unit_type", "is_published"]
    fields = ["year", "unit_type", "framework", "opens_on", "deadline", "response_days"]
    inlines = [RoundExtensionInline, CouncilAssignmentInline]

    def formfield_for_foreignkey(
        self, db_field: ForeignKey, request: HttpRequest, **kwargs
    ) -> ModelChoiceField:
        if db_field.name == "framework":
            kwargs["queryset"] = Framework.objects.for_units()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

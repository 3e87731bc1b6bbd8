"""The assignments app's models, one module per concept; every name is importable from here.

- agencies: who does the work (agencies, their other names, groups, users' agency and role)
- owners: who acts on each criterion of a plan (Responsibility)
- tasks: the tasks of section II and their measurable targets
- documents: the agency's library of evidence documents and their links
- reporting: the yearly report (cycles, extensions, reports, values, transitions, evidence)
- yearly: the agency's yearly report, its transitions and its proposed self-scores
- mail: the outbox and the reminders
- units: the units' exemptions from criteria and the clusters they are ranked within
"""

from assignments.models.agencies import (
    Agency,
    AgencyAlias,
    AgencyGroup,
    AgencyGroupAlias,
    Membership,
    Role,
    name_key,
    user_agency,
    user_role,
)
from assignments.models.documents import (
    LOCATION_MAX_LENGTH,
    EvidenceDocument,
    EvidenceLink,
    evidence_storage,
)
from assignments.models.mail import OutgoingMail, Reminder
from assignments.models.owners import Responsibility
from assignments.models.reporting import (
    NARRATIVE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    Evidence,
    Extension,
    Report,
    ReportingCycle,
    ReportTransition,
    ReportValue,
    evidence_path,
)
from assignments.models.tasks import COUNT_MAX, PERCENT_UNITS, ContentArea, Task, TaskTarget
from assignments.models.units import Exemption, UnitCluster, applicable_maximum
from assignments.models.yearly import (
    EXPLANATION_MAX_LENGTH,
    ScoreProposal,
    YearlyReport,
    YearlyTransition,
)

__all__ = [
    "COUNT_MAX",
    "EXPLANATION_MAX_LENGTH",
    "LOCATION_MAX_LENGTH",
    "NARRATIVE_MAX_LENGTH",
    "PERCENT_UNITS",
    "REASON_MAX_LENGTH",
    "Agency",
    "AgencyAlias",
    "AgencyGroup",
    "AgencyGroupAlias",
    "ContentArea",
    "Evidence",
    "Exemption",
    "EvidenceDocument",
    "EvidenceLink",
    "Extension",
    "Membership",
    "OutgoingMail",
    "Reminder",
    "Report",
    "ReportTransition",
    "ReportValue",
    "ReportingCycle",
    "Responsibility",
    "ScoreProposal",
    "Role",
    "Task",
    "TaskTarget",
    "UnitCluster",
    "YearlyReport",
    "YearlyTransition",
    "applicable_maximum",
    "evidence_path",
    "evidence_storage",
    "name_key",
    "user_agency",
    "user_role",
]

"""The agency's yearly report page (assignments/yearly_views.py) on the seed plan: Sở Tư
pháp fills its sections one by one, sees what is still missing shrink and sends; what was
typed survives every refusal; no other agency reaches it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from assignments import yearly
from assignments.models import (
    Agency,
    EvidenceDocument,
    EvidenceLink,
    Report,
    ReportingCycle,
    Role,
    ScoreProposal,
    YearlyReport,
)
from assignments.owners import assign_from_actions
from tests.assignments.reporting import PDF_BYTES, ready_yearly_report, send_yearly, upload
from tests.conftest import _user_with_role

D = Decimal
pytestmark = pytest.mark.django_db
YEAR = 2019


@pytest.fixture
def tu_phap(seed_tasks) -> Agency:
    # The tasks propose the owners of the sub-criteria whose text names none, as load_demo.
    assign_from_actions(plan=seed_tasks)
    ReportingCycle.objects.create(plan=seed_tasks, year=YEAR, deadline=datetime.date(2019, 11, 25))
    return Agency.objects.get(name="Sở Tư pháp")


@pytest.fixture
def tu_phap_client(tu_phap, staff_password, today) -> Client:
    user = _user_with_role("canbo.sotuphap", staff_password, Role.AGENCY_USER, tu_phap)
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client):
    return client.get(reverse("assignments:yearly-report", args=[YEAR]))


def _report(agency: Agency) -> YearlyReport:
    return YearlyReport.objects.get(agency=agency, cycle__year=YEAR)


def _proposal_url(proposal: ScoreProposal) -> str:
    return reverse("assignments:yearly-proposal", args=[YEAR, proposal.pk])


def _proposal_data(proposal: ScoreProposal, **fields) -> dict:
    """What a proposal's form sends, as it stands, with `fields` (without the prefix)."""
    proposal.refresh_from_db()
    data = {
        "score": "" if proposal.score is None else str(proposal.score),
        "explanation": proposal.explanation,
        "version": proposal.version,
        "document": "",
        "location": "",
        "new_location": "",
        "doc-number": "",
    }
    if proposal.evidence_complete:
        data["evidence_complete"] = "on"
    data |= fields
    prefixed = {}
    for name, value in data.items():
        if name.startswith("doc-"):
            prefixed[f"doc{proposal.pk}-{name[4:]}"] = value
        elif name in ("save", "link", "upload", "unlink"):
            prefixed[name] = value
        else:
            prefixed[f"p{proposal.pk}-{name}"] = value
    return prefixed


def _missing_sections(response) -> list[str]:
    """The anchors the "Còn thiếu" list links to."""
    block = response.text.split('id="missing"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<a href="#([\w-]+)">', block) if "missing-list" in block else []


def _save_task(client: Client, report: Report, narrative: str) -> None:
    report.refresh_from_db()
    response = client.post(
        reverse("assignments:report-update", args=[report.pk]),
        {"progress": "done", "narrative": narrative, "version": report.version, "save": ""},
    )
    assert response.status_code == 302


def test_tu_phap_fills_its_report_section_by_section_and_sends(tu_phap, tu_phap_client):
    response = _page(tu_phap_client)

    assert response.status_code == 200
    report = _report(tu_phap)
    proposals = list(report.score_proposals.select_related("criterion"))
    scored = [p for p in proposals if not p.criterion.is_survey]
    lead = list(report.task_reports.filter(task__lead_agencies=tu_phap))
    coordinated = list(report.task_reports.exclude(task__lead_agencies=tu_phap))
    assert len(lead) == 3 and len(coordinated) >= 2
    # A result for each lead task, a score and an explanation or evidence for each scored
    # sub-criterion: its own anchor in the list each time.
    missing = _missing_sections(response)
    assert len(missing) == 3 + 2 * len(scored)
    assert f"task-{lead[0].pk}" in missing
    # Surveyed sub-criteria (2.4) need no score: the page says so.
    assert "không cần đề xuất điểm" in response.text

    # The three lead tasks, then two coordinating notes, on the task pages.
    for task_report in lead:
        _save_task(tu_phap_client, task_report, "Đã ban hành kế hoạch và tổ chức thực hiện.")
    for task_report in coordinated[:2]:
        _save_task(tu_phap_client, task_report, "Phối hợp góp ý dự thảo.")
    assert len(_missing_sections(_page(tu_phap_client))) == 2 * len(scored)

    # One document, the province's legal-document plan, uploaded once from the first
    # sub-criterion, then linked from the library to the second, each with its page.
    first, second, *rest = scored
    response = tu_phap_client.post(
        _proposal_url(first),
        _proposal_data(
            first,
            score="0,5" if first.criterion.max_score < 1 else "1",
            evidence_complete="on",
            new_location="Mục II, trang 4",
            upload="",
            **{
                "doc-number": "10/KH-UBND",
                "doc-issued_on": "2019-01-15",
                "doc-issuer": "UBND tỉnh Tiền Giang",
                "doc-title": "Kế hoạch xây dựng văn bản QPPL năm 2019",
                "doc-file": upload("ke-hoach.pdf", PDF_BYTES),
            },
        ),
    )
    assert response.status_code == 302
    assert response.url.endswith(f"#proposal-{first.pk}")
    document = EvidenceDocument.objects.get(agency=tu_phap)
    assert document.number == "10/KH-UBND"
    response = tu_phap_client.post(
        _proposal_url(second),
        _proposal_data(
            second,
            score=str(second.criterion.max_score).replace(".", ","),
            evidence_complete="on",
            document=str(document.pk),
            location="Mục III, trang 7",
            link="",
        ),
    )
    assert response.status_code == 302
    assert EvidenceDocument.objects.filter(agency=tu_phap).count() == 1
    assert sorted(document.links.values_list("proposal__criterion__code", "location")) == sorted(
        [
            (first.criterion.code, "Mục II, trang 4"),
            (second.criterion.code, "Mục III, trang 7"),
        ]
    )
    page = _page(tu_phap_client)
    assert page.text.count("Kế hoạch xây dựng văn bản QPPL năm 2019") >= 2
    assert "Mục II, trang 4" in page.text and "Mục III, trang 7" in page.text

    # The others without a document: a score and an explanation.
    for proposal in rest:
        response = tu_phap_client.post(
            _proposal_url(proposal),
            _proposal_data(proposal, score="0", explanation="Chưa có văn bản, đang trình ký."),
        )
        assert response.status_code == 302
    general = tu_phap_client.post(
        reverse("assignments:yearly-general", args=[YEAR]),
        {
            "general-difficulties": "Thiếu biên chế.",
            "general-proposals": "Bổ sung kinh phí.",
            "general-version": _report(tu_phap).version,
        },
    )
    assert general.status_code == 302
    page = _page(tu_phap_client)
    assert _missing_sections(page) == []
    assert "Đã đủ các nội dung bắt buộc" in page.text

    report = _report(tu_phap)
    response = tu_phap_client.post(
        reverse("assignments:yearly-send", args=[YEAR]), {"version": report.version}, follow=True
    )

    report.refresh_from_db()
    assert report.status == YearlyReport.Status.SUBMITTED
    assert report.difficulties == "Thiếu biên chế."
    assert "Đã gửi báo cáo năm 2019 đến Sở Nội vụ." in response.text
    # Sent: read-only, no form left.
    assert "yearly-proposal" not in response.text
    assert 'action="/work/yearly/2019/proposals/' not in response.text
    assert set(report.task_reports.values_list("status", flat=True)) == {"submitted"}


@pytest.fixture
def tu_phap_report(tu_phap, tu_phap_client) -> YearlyReport:
    _page(tu_phap_client)
    return _report(tu_phap)


def _scored(report: YearlyReport) -> ScoreProposal:
    return report.score_proposals.select_related("criterion").get(criterion__code="2.1.1")


@pytest.mark.parametrize("typed", ["0,5", "0.5"])
def test_score_takes_a_comma_or_a_dot(tu_phap_report, tu_phap_client, typed):
    proposal = _scored(tu_phap_report)

    response = tu_phap_client.post(_proposal_url(proposal), _proposal_data(proposal, score=typed))

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.score == D("0.5")


def test_score_above_the_maximum_is_refused_with_the_code_and_kept(tu_phap_report, tu_phap_client):
    proposal = _scored(tu_phap_report)
    too_high = "9,5"

    response = tu_phap_client.post(
        _proposal_url(proposal),
        _proposal_data(proposal, score=too_high, explanation="Giải trình dài đã gõ."),
    )

    assert response.status_code == 200
    assert "Điểm đề xuất của tiêu chí 2.1.1 phải từ 0 đến" in response.text
    assert 'value="9,5"' in response.text
    assert "Giải trình dài đã gõ." in response.text
    proposal.refresh_from_db()
    assert proposal.score is None and proposal.explanation == ""


def test_score_that_is_no_number_names_the_sub_criterion(tu_phap_report, tu_phap_client):
    proposal = _scored(tu_phap_report)

    response = tu_phap_client.post(_proposal_url(proposal), _proposal_data(proposal, score="abc"))

    assert response.status_code == 200
    assert "Điểm đề xuất của tiêu chí 2.1.1 phải là một số" in response.text


def test_refused_upload_keeps_the_typed_score_and_explanation(tu_phap_report, tu_phap_client):
    proposal = _scored(tu_phap_report)

    response = tu_phap_client.post(
        _proposal_url(proposal),
        _proposal_data(
            proposal,
            score="0,25",
            explanation="Văn bản đang trình ký.",
            upload="",
            **{
                "doc-number": "99/KH-STP",
                "doc-title": "Kế hoạch của Sở",
                "doc-file": upload("virus.exe", b"MZ\x90\x00not a document"),
            },
        ),
    )

    assert response.status_code == 200
    assert "virus.exe" in response.text  # why it was refused
    assert "chưa được tải lên" in response.text
    # What was typed is saved, and shown with the document's details as typed.
    proposal.refresh_from_db()
    assert proposal.score == D("0.25")
    assert proposal.explanation == "Văn bản đang trình ký."
    assert 'value="0,25"' in response.text
    assert "Văn bản đang trình ký." in response.text
    assert 'value="99/KH-STP"' in response.text
    assert not EvidenceDocument.objects.exists()


def test_general_section_too_long_is_shown_back_with_the_field_named(
    tu_phap_report, tu_phap_client
):
    long_text = "Khó khăn. " * 2001  # past 20,000 characters

    response = tu_phap_client.post(
        reverse("assignments:yearly-general", args=[YEAR]),
        {
            "general-difficulties": long_text,
            "general-proposals": "Kiến nghị đã gõ.",
            "general-version": tu_phap_report.version,
        },
    )

    assert response.status_code == 200
    assert "“Khó khăn, vướng mắc” dài tối đa" in response.text
    assert long_text.strip() in response.text
    assert "Kiến nghị đã gõ." in response.text
    tu_phap_report.refresh_from_db()
    assert tu_phap_report.proposals == ""


def test_unlink_takes_the_document_off_and_keeps_it_in_the_library(tu_phap_report, tu_phap_client):
    proposal = _scored(tu_phap_report)
    document = _document(tu_phap_report.agency)
    link = EvidenceLink.objects.create(
        proposal=proposal, criterion=proposal.criterion, document=document, location="trang 2"
    )

    response = tu_phap_client.post(
        _proposal_url(proposal), _proposal_data(proposal, score="0,5", unlink=str(link.pk))
    )

    assert response.status_code == 302
    assert not EvidenceLink.objects.filter(pk=link.pk).exists()
    assert EvidenceDocument.objects.filter(pk=document.pk).exists()
    proposal.refresh_from_db()
    assert proposal.score == D("0.5")  # what was typed is saved with it


def _document(agency: Agency, number: str = "1/KH-STP") -> EvidenceDocument:
    return EvidenceDocument.objects.create(
        agency=agency,
        number=number,
        title="Kế hoạch",
        file="evidence/library/x.pdf",
        original_name="x.pdf",
        content_type="application/pdf",
        size=10,
        sha256=number.ljust(64, "0")[:64],
    )


# -- Who reaches what, on a small world (tests/assignments/reporting.py) -------------------


def _open(world) -> YearlyReport:
    return yearly.open_yearly_report(cycle=world.cycle, agency=world.agency)


def test_other_agency_gets_404_for_the_proposal_and_sees_only_its_own_report(
    world, agency_user, other_client, today
):
    report = _open(world)
    proposal = report.score_proposals.get()
    document = _document(world.agency)
    EvidenceLink.objects.create(
        proposal=proposal, criterion=proposal.criterion, document=document, location="trang 9"
    )

    posted = other_client.post(_proposal_url(proposal), _proposal_data(proposal, score="0,5"))
    page = _page(other_client)

    assert posted.status_code == 404
    proposal.refresh_from_db()
    assert proposal.score is None
    assert page.status_code == 200
    assert page.context["report"].agency == world.other
    assert "trang 9" not in page.text
    assert f"proposal-{proposal.pk}" not in page.text


def test_other_agency_cannot_link_a_document_of_another_library(
    world, agency_client, other_agency, today
):
    report = _open(world)
    proposal = report.score_proposals.get()
    foreign = _document(other_agency, "5/KH-UBND")

    response = agency_client.post(
        _proposal_url(proposal),
        _proposal_data(proposal, document=str(foreign.pk), location="trang 1", link=""),
    )

    assert response.status_code == 200  # not a choice of this library: shown back
    assert not EvidenceLink.objects.filter(document=foreign).exists()


def test_readers_get_403_and_anonymous_goes_to_login(world, leader_client, noivu_client, client):
    url = reverse("assignments:yearly-report", args=[YEAR])

    assert leader_client.get(url).status_code == 403
    assert noivu_client.get(url).status_code == 403
    assert client.get(url).status_code == 302
    assert "/accounts/login/" in client.get(url).url


def test_wrong_methods_get_405(world, agency_client):
    assert agency_client.post(reverse("assignments:yearly-report", args=[YEAR])).status_code == 405
    assert agency_client.get(reverse("assignments:yearly-send", args=[YEAR])).status_code == 405
    assert agency_client.get(reverse("assignments:yearly-general", args=[YEAR])).status_code == 405


def test_unknown_year_is_404(world, agency_client):
    assert agency_client.get(reverse("assignments:yearly-report", args=[1999])).status_code == 404


def test_sending_a_stale_page_is_refused_with_the_message(world, agency_client, today):
    report = _open(world)

    response = agency_client.post(
        reverse("assignments:yearly-send", args=[YEAR]),
        {"version": report.version - 1 if report.version > 1 else 99},
        follow=True,
    )

    report.refresh_from_db()
    assert report.status == YearlyReport.Status.DRAFT
    assert "còn" in response.text and "Còn thiếu" in response.text


def test_noivu_staff_bound_to_so_noi_vu_write_its_own_report(world, staff_password, today):
    so_noi_vu = Agency.objects.create(name="Sở Nội vụ", kind=Agency.Kind.DEPARTMENT)
    world.tasks["2.1"].lead_agencies.add(so_noi_vu)
    user = _user_with_role("noivu.canbo", staff_password, Role.NOIVU_STAFF, so_noi_vu)
    client = Client()
    client.force_login(user)

    page = _page(client)
    workspace = client.get(reverse("assignments:workspace"))

    assert page.status_code == 200
    assert page.context["report"].agency == so_noi_vu
    assert [s.report.task for s in page.context["page"].lead] == [world.tasks["2.1"]]
    assert workspace.status_code == 200
    assert reverse("assignments:yearly-report", args=[YEAR]) in workspace.text
    assert reverse("assignments:cycle-current") in workspace.text  # the tracker stays


def _grow(world, count: int) -> None:
    """More sections of every kind for the agency: criteria it owns, with a linked
    document each, tasks it leads with targets, tasks it coordinates."""
    from assignments.models import ContentArea, Responsibility, Task, TaskTarget
    from criteria.models import Criterion

    area = ContentArea.objects.create(plan=world.plan, number=9, title="Thêm")
    for index in range(count):
        criterion = Criterion.objects.create(
            framework=world.plan.framework, code=f"9.{index + 1}", title="Thêm", max_score=D(1)
        )
        Responsibility.objects.create(plan=world.plan, criterion=criterion).leads.add(world.agency)
        lead = Task.objects.create(content_area=area, number=2 * index + 1, text="Chủ trì")
        lead.lead_agencies.add(world.agency)
        TaskTarget.objects.create(
            task=lead,
            description="Tỷ lệ",
            comparator=TaskTarget.Comparator.AT_LEAST,
            value=D(90),
            first_year=2019,
            last_year=2019,
        )
        Task.objects.create(
            content_area=area, number=2 * index + 2, text="Phối hợp"
        ).coordinating_agencies.add(world.agency)
    report = _open(world)
    for index, proposal in enumerate(report.score_proposals.select_related("criterion")):
        document = _document(world.agency, f"{index}/KH-STP")
        EvidenceLink.objects.create(
            proposal=proposal, criterion=proposal.criterion, document=document, location="trang 1"
        )


def test_page_query_count_does_not_grow_with_sections(
    world, agency_client, django_assert_num_queries, today
):
    # session, user, role, membership, cycle with plan; opening the report: savepoint, the
    # report, the groups and their members, the tasks without a section, the sections' link
    # to the report, the owned criteria without a section, release; the deadline's
    # extension; task sections, their targets of the year, their values; the library;
    # proposals with criteria, their links with documents; missing: lead tasks, proposals.
    _open(world)
    with django_assert_num_queries(22):
        small = _page(agency_client)
    _grow(world, 5)
    with django_assert_num_queries(22):
        large = _page(agency_client)

    assert len(large.context["page"].proposals) == len(small.context["page"].proposals) + 5
    assert len(large.context["page"].lead) == len(small.context["page"].lead) + 5


# -- Returned: only the reopened sections, shown first ------------------------------------


def _returned(world, agency_user, noivu_staff, client) -> YearlyReport:
    """The small world's report, sent, then returned: task 1.1 and sub-criterion 1.1.1."""
    report = ready_yearly_report(world, agency_user)
    send_yearly(client, world)
    report.refresh_from_db()
    assert report.status == YearlyReport.Status.SUBMITTED
    lead = report.task_reports.get(task=world.tasks["1.1"])
    proposal = report.score_proposals.get(criterion__code="1.1.1")
    return yearly.return_yearly_report(
        report=report,
        by=noivu_staff,
        version=report.version,
        comments={
            f"task-{lead.pk}": "Cần nêu số văn bản.",
            f"proposal-{proposal.pk}": "Điểm chưa khớp tài liệu.",
        },
    )


def test_returned_sections_come_first_with_their_comment_and_only_they_are_editable(
    world, today, agency_client, agency_user, noivu_staff
):
    report = _returned(world, agency_user, noivu_staff, agency_client)
    coordinated = report.task_reports.get(task=world.tasks["1.2"])

    response = _page(agency_client)

    page = response.context["page"]
    assert [s.report.task for s in page.returned_tasks] == [world.tasks["1.1"]]
    assert [s.proposal.criterion.code for s in page.returned_proposals] == ["1.1.1"]
    assert page.lead == [] and page.proposals == []
    text = response.text
    assert text.index("Cần nêu số văn bản.") < text.index('id="lead-heading"')
    assert "Điểm chưa khớp tài liệu." in text
    # The returned proposal has its form; the sections not reopened are read-only.
    assert page.returned_proposals[0].form is not None
    assert page.general_form is None
    assert f'href="/work/reports/{coordinated.pk}/"' in text
    assert "Ghi phần phối hợp" not in text  # a link to read it, not to write it


def test_a_section_not_reopened_cannot_be_changed(
    world, today, agency_client, agency_user, noivu_staff, other_agency
):
    report = _returned(world, agency_user, noivu_staff, agency_client)
    # A second sub-criterion of the agency, sent and not reopened.
    from assignments.models import Responsibility

    Responsibility.objects.filter(criterion=world.criteria["1.1.2"]).get().leads.add(world.agency)
    yearly.open_yearly_report(cycle=world.cycle, agency=world.agency)
    locked = report.score_proposals.get(criterion__code="1.1.2")
    ScoreProposal.objects.filter(pk=locked.pk).update(status=Report.Status.SUBMITTED)

    response = agency_client.post(
        _proposal_url(locked), _proposal_data(locked, score="0,5", explanation="Sửa lén.")
    )

    assert response.status_code == 200
    assert "Phần này của báo cáo đã gửi, không sửa được nữa." in response.text
    locked.refresh_from_db()
    assert locked.score is None and locked.explanation == ""


def test_workspace_shows_the_returned_sections_first_in_flat_queries(
    world, today, agency_client, agency_user, noivu_staff, django_assert_num_queries
):
    _returned(world, agency_user, noivu_staff, agency_client)
    url = reverse("assignments:workspace")

    # session, user, groups, membership, cycle with plan, groups and members (2), task ids,
    # reports, extension, responsibilities, scores, targets, the page's tasks, their
    # targets; the yearly report, its returned task sections, its returned proposals, the
    # missing lead tasks and proposals; the data's version (the page is kept in the cache)
    with django_assert_num_queries(21):
        response = agency_client.get(url)
    _grow(world, 4)
    with django_assert_num_queries(21):
        agency_client.get(url)
    # Kept: session, user, groups, membership, cycle, the data's version.
    with django_assert_num_queries(6):
        again = agency_client.get(url)
    assert "Cần nêu số văn bản." in again.text

    returned = [section.label for section in response.context["yearly"].returned]
    assert returned == ["Nhiệm vụ 1.1", "Tiêu chí 1.1.1"]
    text = response.text
    assert text.index("Cần nêu số văn bản.") < text.index('id="tasks-heading"')
    assert text.index('id="tasks-heading"') < text.index('id="criteria-heading"')
    assert text.index('id="criteria-heading"') < text.index('id="coordinated-heading"')
    assert 'href="/work/yearly/2019/"' in text


def test_login_tells_of_the_returned_sections_of_the_yearly_report(
    world, today, client, agency_client, agency_user, noivu_staff, staff_password
):
    _returned(world, agency_user, noivu_staff, agency_client)

    response = client.post(
        reverse("login"),
        {"username": agency_user.get_username(), "password": staff_password},
        follow=True,
    )

    assert "2 phần báo cáo của đơn vị bị Sở Nội vụ trả lại" in response.text


def test_a_file_chosen_with_a_refused_score_must_be_chosen_again_and_says_so(
    tu_phap_report, tu_phap_client
):
    proposal = _scored(tu_phap_report)

    response = tu_phap_client.post(
        _proposal_url(proposal),
        _proposal_data(
            proposal,
            score="9",
            upload="",
            **{
                "doc-number": "10/KH-UBND",
                "doc-title": "Kế hoạch",
                "doc-file": upload("ke-hoach.pdf", PDF_BYTES),
            },
        ),
    )

    assert response.status_code == 200
    assert "Chưa tải lên: ke-hoach.pdf. Hãy chọn lại tệp rồi bấm lưu." in response.text
    assert 'value="10/KH-UBND"' in response.text
    assert not EvidenceDocument.objects.exists()


def test_a_stale_page_keeps_what_was_typed_and_the_next_save_goes_through(
    world, today, agency_client, agency_user
):
    report = _open(world)
    proposal = report.score_proposals.get()
    read = _proposal_data(proposal, score="0,25", explanation="Gõ trên trang cũ.")
    yearly.save_proposal(  # someone else saves meanwhile
        proposal=proposal,
        by=agency_user,
        score=D("0.5"),
        evidence_complete=False,
        explanation="Bản khác.",
        version=proposal.version,
    )

    response = agency_client.post(_proposal_url(proposal), read)

    assert response.status_code == 200
    assert "Báo cáo vừa được người khác cập nhật." in response.text
    assert "Gõ trên trang cũ." in response.text
    proposal.refresh_from_db()
    assert proposal.explanation == "Bản khác."
    again = response.context["page"].proposals[0].form
    assert again["version"].value() == str(proposal.version)
    response = agency_client.post(
        _proposal_url(proposal), read | {f"p{proposal.pk}-version": proposal.version}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.explanation == "Gõ trên trang cũ."

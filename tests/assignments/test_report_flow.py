"""A report's life: written, saved, submitted before the deadline, returned, accepted."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assignments import services, yearly
from assignments.models import (
    Evidence,
    EvidenceDocument,
    Extension,
    Report,
    ReportTransition,
    ReportValue,
    TaskTarget,
)
from assignments.templatetags.targets import target_label
from tests.assignments.reporting import make_report, ready_yearly_report, send_yearly

pytestmark = pytest.mark.django_db

D = Decimal


def _form(report: Report, **fields) -> dict:
    data = {
        "progress": Report.Progress.IN_PROGRESS,
        "narrative": "Đã ban hành kế hoạch, đang kiểm tra.",
        "version": report.version,
    }
    return data | fields


# -- Starting a report ---------------------------------------------------------------------


def test_agency_starts_a_report_on_its_task(world, today, agency_client):
    url = reverse("assignments:report-create", args=[2019, world.tasks["1.1"].pk])
    assert not Report.objects.exists()

    response = agency_client.post(url)

    report = Report.objects.get()
    assert (report.agency, report.task, report.cycle) == (
        world.agency,
        world.tasks["1.1"],
        world.cycle,
    )
    assert report.status == Report.Status.DRAFT
    assert response.url == reverse("assignments:report-detail", args=[report.pk])


def test_starting_twice_opens_the_same_report(world, today, agency_client):
    url = reverse("assignments:report-create", args=[2019, world.tasks["1.1"].pk])

    first = agency_client.post(url)
    second = agency_client.post(url)

    assert first.url == second.url
    assert Report.objects.count() == 1


def test_agency_cannot_start_a_report_on_a_task_it_does_not_work_on(world, today, agency_client):
    url = reverse("assignments:report-create", args=[2019, world.tasks["2.1"].pk])

    response = agency_client.post(url)

    assert response.status_code == 404
    assert not Report.objects.exists()


def test_noivu_staff_and_leader_cannot_start_reports(world, today, noivu_client, leader_client):
    url = reverse("assignments:report-create", args=[2019, world.tasks["1.1"].pk])

    responses = [noivu_client.post(url), leader_client.post(url)]

    assert [response.status_code for response in responses] == [403, 403]
    assert not Report.objects.exists()


def test_report_create_refuses_get(world, agency_client):
    url = reverse("assignments:report-create", args=[2019, world.tasks["1.1"].pk])

    assert agency_client.get(url).status_code == 405


def test_report_create_sends_anonymous_to_login(world, client):
    url = reverse("assignments:report-create", args=[2019, world.tasks["1.1"].pk])

    response = client.post(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert not Report.objects.exists()


# -- Saving --------------------------------------------------------------------------------


def test_agency_saves_progress_values_and_narrative(world, today, agency_client):
    report = make_report(world, "1.1", narrative="")
    on_time, level_3 = world.targets["on_time"], world.targets["level_3"]
    url = reverse("assignments:report-update", args=[report.pk])

    response = agency_client.post(
        url,
        _form(report, **{f"target_{on_time.pk}": "96,5", f"target_{level_3.pk}": ""}),
    )

    assert response.status_code == 302
    report.refresh_from_db()
    assert (report.progress, report.narrative, report.version, report.status) == (
        Report.Progress.IN_PROGRESS,
        "Đã ban hành kế hoạch, đang kiểm tra.",
        2,
        Report.Status.DRAFT,
    )
    assert dict(report.values.values_list("target", "value")) == {on_time.pk: D("96.5")}
    assert report.history.count() == 2  # created, then saved


def test_saving_an_empty_value_clears_it(world, today, agency_client):
    report = make_report(world, "1.1")
    on_time = world.targets["on_time"]
    ReportValue.objects.create(report=report, target=on_time, value=D("90"))

    agency_client.post(
        reverse("assignments:report-update", args=[report.pk]),
        _form(report, **{f"target_{on_time.pk}": ""}),
    )

    assert not report.values.exists()


def test_negative_value_is_refused_and_nothing_saved(world, today, agency_client):
    report = make_report(world, "1.1")
    on_time = world.targets["on_time"]

    response = agency_client.post(
        reverse("assignments:report-update", args=[report.pk]),
        _form(report, narrative="Mới", **{f"target_{on_time.pk}": "-3"}),
    )

    assert response.status_code == 200
    assert response.context["report_form"].errors[f"target_{on_time.pk}"]
    report.refresh_from_db()
    assert (report.narrative, report.version) == ("Đã ban hành kế hoạch đúng hạn.", 1)


def test_stale_save_is_refused_with_a_message_and_keeps_the_newer_text(world, today, agency_client):
    report = make_report(world, "1.1")
    url = reverse("assignments:report-update", args=[report.pk])
    first = _form(report, narrative="Bản của đồng chí A")
    second = _form(report, narrative="Bản của đồng chí B")  # read before A saved
    agency_client.post(url, first)

    response = agency_client.post(url, second, follow=True)

    report.refresh_from_db()
    assert (report.narrative, report.version) == ("Bản của đồng chí A", 2)
    assert "Báo cáo vừa được người khác cập nhật" in response.text


def test_save_report_service_refuses_a_stale_version(world, agency_user):
    report = make_report(world, "1.1")

    with pytest.raises(ValidationError, match="vừa được người khác cập nhật"):
        services.save_report(
            report=report,
            by=agency_user,
            progress=Report.Progress.DONE,
            narrative="x",
            values={},
            version=report.version + 1,
        )

    report.refresh_from_db()
    assert report.progress == Report.Progress.NOT_STARTED


def test_submitted_report_can_no_longer_be_edited(world, today, agency_client):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)

    response = agency_client.post(
        reverse("assignments:report-update", args=[report.pk]),
        _form(report, narrative="Sửa sau khi gửi"),
        follow=True,
    )

    report.refresh_from_db()
    assert report.narrative == "Đã ban hành kế hoạch đúng hạn."
    assert "Báo cáo đã gửi, không sửa được nữa." in response.text


# -- Submitting and the deadline -----------------------------------------------------------


def test_agency_submits_before_the_deadline(world, today, agency_client, agency_user):
    report = make_report(world, "1.1")
    ready_yearly_report(world, agency_user)

    response = send_yearly(agency_client, world, follow=True)

    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED
    assert "Đã gửi báo cáo năm 2019 đến Sở Nội vụ." in response.text
    step = report.transitions.get()
    assert (step.from_status, step.to_status, step.by) == ("draft", "submitted", agency_user)


def test_the_task_page_saves_and_never_sends(world, today, agency_client):
    report = make_report(world, "1.1")

    agency_client.post(
        reverse("assignments:report-update", args=[report.pk]), _form(report, submit="")
    )

    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    assert not report.transitions.exists()


def test_agency_submits_on_the_last_day(world, today, agency_client, agency_user):
    today(datetime.date(2019, 11, 25))
    report = make_report(world, "1.1")
    ready_yearly_report(world, agency_user)

    send_yearly(agency_client, world)

    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_submission_after_the_deadline_is_refused_but_the_edits_are_kept(
    world, today, agency_client, agency_user
):
    today(datetime.date(2019, 11, 26))
    report = make_report(world, "1.1")
    ready_yearly_report(world, agency_user)
    agency_client.post(
        reverse("assignments:report-update", args=[report.pk]),
        _form(report, narrative="Viết muộn"),
    )

    response = send_yearly(agency_client, world, follow=True)

    report.refresh_from_db()
    assert (report.status, report.narrative) == (Report.Status.DRAFT, "Viết muộn")
    assert "Đã quá hạn báo cáo ngày 25/11/2019" in response.text
    assert not report.transitions.exists()


def test_extension_lets_the_agency_submit_after_the_deadline(
    world, today, agency_client, agency_user, noivu_staff
):
    Extension.objects.create(
        cycle=world.cycle,
        agency=world.agency,
        until=datetime.date(2019, 12, 5),
        granted_by=noivu_staff,
    )
    today(datetime.date(2019, 12, 5))
    report = make_report(world, "1.1")
    ready_yearly_report(world, agency_user)

    send_yearly(agency_client, world)

    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


def test_another_agencys_extension_does_not_help(
    world, today, agency_client, agency_user, noivu_staff
):
    Extension.objects.create(
        cycle=world.cycle, agency=world.other, until=datetime.date(2019, 12, 5)
    )
    today(datetime.date(2019, 12, 1))
    report = make_report(world, "1.1")
    ready_yearly_report(world, agency_user)

    response = send_yearly(agency_client, world, follow=True)

    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT
    assert "Đã quá hạn báo cáo ngày 25/11/2019" in response.text


def test_report_without_narrative_cannot_be_submitted(world, today, agency_user):
    report = make_report(world, "1.1", narrative="  ")

    with pytest.raises(ValidationError, match="Cần ghi kết quả thực hiện"):
        services.submit_report(report=report, by=agency_user)

    report.refresh_from_db()
    assert report.status == Report.Status.DRAFT


# -- Review by Sở Nội vụ -------------------------------------------------------------------


def test_returned_report_goes_back_to_draft_when_the_agency_edits_it(
    world, today, agency_client, agency_user
):
    report = make_report(world, "1.1", status=Report.Status.RETURNED)

    agency_client.post(
        reverse("assignments:report-update", args=[report.pk]),
        _form(report, narrative="Đã bổ sung số liệu."),
    )

    report.refresh_from_db()
    assert (report.status, report.narrative) == (Report.Status.DRAFT, "Đã bổ sung số liệu.")
    step = report.transitions.get()
    assert (step.from_status, step.to_status, step.by) == ("returned", "draft", agency_user)


def test_the_whole_round_trip_records_every_step(world, today, agency_user, noivu_staff):
    report = make_report(world, "1.1")

    report = services.submit_report(report=report, by=agency_user)
    report = services.return_report(
        report=report, by=noivu_staff, reason="Bổ sung minh chứng", version=report.version
    )
    report = services.save_report(
        report=report,
        by=agency_user,
        progress=Report.Progress.DONE,
        narrative="Đã bổ sung.",
        values={world.targets["on_time"].pk: D("97")},
        version=report.version,
    )
    report = services.submit_report(report=report, by=agency_user)
    report = services.accept_report(report=report, by=noivu_staff, version=report.version)

    steps = list(
        ReportTransition.objects.filter(report=report).values_list("from_status", "to_status")
    )
    assert steps == [
        ("draft", "submitted"),
        ("submitted", "returned"),
        ("returned", "draft"),
        ("draft", "submitted"),
        ("submitted", "accepted"),
    ]
    assert report.version == 6


def test_review_acting_on_a_report_changed_meanwhile_is_refused(world, today, noivu_staff):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)
    stale = Report.objects.get(pk=report.pk)
    services.accept_report(report=report, by=noivu_staff, version=report.version)

    with pytest.raises(ValidationError):
        services.return_report(report=stale, by=noivu_staff, reason="muộn", version=stale.version)

    report.refresh_from_db()
    assert report.status == Report.Status.ACCEPTED


# -- Who may do what -----------------------------------------------------------------------


def test_noivu_staff_cannot_write_an_agencys_report(world, today, noivu_client):
    report = make_report(world, "1.1")

    response = noivu_client.post(
        reverse("assignments:report-update", args=[report.pk]), _form(report, narrative="Sửa hộ")
    )

    assert response.status_code == 403
    report.refresh_from_db()
    assert report.narrative == "Đã ban hành kế hoạch đúng hạn."


@pytest.mark.parametrize("action", ["report-update"])
def test_leader_reads_but_every_post_is_refused(world, today, leader_client, action):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)
    before = Report.objects.values().get(pk=report.pk)

    page = leader_client.get(reverse("assignments:report-detail", args=[report.pk]))
    response = leader_client.post(
        reverse(f"assignments:{action}", args=[report.pk]),
        _form(report, reason="x", note="x"),
    )

    assert page.status_code == 200
    assert "<form" not in page.text.split('<main id="main">')[1]
    assert response.status_code == 403
    assert Report.objects.values().get(pk=report.pk) == before
    assert not ReportTransition.objects.exists()


@pytest.mark.parametrize("action", ["report-detail", "report-update"])
def test_other_agency_gets_404_on_every_report_page(world, today, other_client, action):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)
    url = reverse(f"assignments:{action}", args=[report.pk])

    response = other_client.get(url) if action == "report-detail" else other_client.post(url)

    assert response.status_code == 404
    report.refresh_from_db()
    assert report.status == Report.Status.SUBMITTED


@pytest.mark.parametrize(
    ("action", "method"),
    [
        ("report-detail", "post"),
        ("report-update", "get"),
    ],
)
def test_report_pages_refuse_the_wrong_method(world, today, agency_client, action, method):
    report = make_report(world, "1.1")

    response = getattr(agency_client, method)(reverse(f"assignments:{action}", args=[report.pk]))

    assert response.status_code == 405


@pytest.mark.parametrize("action", ["report-detail", "report-update"])
def test_report_pages_send_anonymous_to_login(world, client, action):
    report = make_report(world, "1.1")
    url = reverse(f"assignments:{action}", args=[report.pk])

    response = client.get(url) if action == "report-detail" else client.post(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


# -- The report page -----------------------------------------------------------------------


def test_agency_sees_its_report_form_with_the_targets_of_the_year(world, today, agency_client):
    report = make_report(world, "1.1")
    ReportValue.objects.create(report=report, target=world.targets["on_time"], value=D("96.5"))
    yearly.open_yearly_report(cycle=world.cycle, agency=world.agency)  # a section of it now

    response = agency_client.get(reverse("assignments:report-detail", args=[report.pk]))

    form = response.context["report_form"]
    assert [field.label for field in form.target_fields()] == [
        "Tỷ lệ văn bản ban hành đúng hạn",
        "Tỷ lệ thủ tục mức độ 3",
    ]
    assert 'value="96,5"' in response.text
    # Sent with the whole yearly report, which the page leads back to.
    assert 'name="submit"' not in response.text
    assert f'href="/work/yearly/2019/#task-{report.pk}"' in response.text
    assert 'name="action"' not in response.text  # no review on a task's page


def test_noivu_sees_values_against_targets_and_reviews_on_the_yearly_report(
    world, today, noivu_client
):
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)
    ReportValue.objects.create(report=report, target=world.targets["on_time"], value=D("90"))
    ReportValue.objects.create(report=report, target=world.targets["level_3"], value=D("75"))

    response = noivu_client.get(reverse("assignments:report-detail", args=[report.pk]))

    results = [(r.target.description, r.value, r.is_met) for r in response.context["results"]]
    assert results == [
        ("Tỷ lệ văn bản ban hành đúng hạn", D("90"), False),
        ("Tỷ lệ thủ tục mức độ 3", D("75"), True),
    ]
    assert response.context["report_form"] is None
    # Sở Nội vụ accepts or returns the agency's whole yearly report, not a task's report.
    assert 'name="action"' not in response.text


def test_report_page_query_count_is_fixed(
    world, today, agency_client, noivu_client, django_assert_num_queries, agency_user, noivu_staff
):
    report = make_report(world, "1.1")
    make_report(world, "1.2")
    make_report(world, "1.2", agency=world.other)
    for target in ("on_time", "level_3"):
        ReportValue.objects.create(report=report, target=world.targets[target], value=D("80"))
    for name in ("quyet-dinh.pdf", "bang-so-lieu.xlsx"):
        document = EvidenceDocument.objects.create(
            agency=world.agency,
            number="252/KH-UBND",
            file=f"evidence/library/{name}",
            original_name=name,
            content_type="application/pdf",
            size=1000,
        )
        Evidence.objects.create(
            report=report,
            document=document,
            location="trang 4",
            file=f"evidence/library/{name}",
            original_name=name,
            content_type="application/pdf",
            size=1000,
            uploaded_by=agency_user,
        )
    report = services.submit_report(report=report, by=agency_user)
    report = services.return_report(
        report=report, by=noivu_staff, reason="Bổ sung", version=report.version
    )
    url = reverse("assignments:report-detail", args=[report.pk])

    # session, user, user's groups, membership with agency, report with cycle, plan,
    # agency, task and area, targets of the year, values, extension, evidence with its
    # documents, transitions with their users, the agency's library for the form's choice
    with django_assert_num_queries(11):
        agency_client.get(url)
    # the same but the library: this Sở Nội vụ user is bound to no agency (its membership
    # is looked for: bound to one, it would write that agency's reports)
    with django_assert_num_queries(10):
        noivu_client.get(url)


# -- Units beside figures ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comparator", "unit", "label"),
    [
        ("at_least", "%", "ít nhất 95%"),
        ("at_least", "ngày làm việc", "ít nhất 5 ngày làm việc"),
        ("between", "ngày làm việc", "từ 3 đến 5 ngày làm việc"),
        ("exactly", "", "đạt 5"),
    ],
)
def test_a_word_unit_is_written_after_a_space_a_percent_sign_is_not(comparator, unit, label):
    value = D("95") if unit == "%" else D("3") if comparator == "between" else D("5")
    target = TaskTarget(comparator=comparator, value=value, value_max=D("5"), unit=unit)

    assert target_label(target) == label


def test_report_page_writes_a_value_and_its_word_unit_apart(world, today, agency_client):
    target = world.targets["on_time"]
    target.unit = "ngày làm việc"
    target.save()
    report = make_report(world, "1.1", status=Report.Status.SUBMITTED)
    ReportValue.objects.create(report=report, target=target, value=D("5"))

    response = agency_client.get(reverse("assignments:report-detail", args=[report.pk]))

    assert "5 ngày làm việc" in response.text
    assert "5ngày" not in response.text

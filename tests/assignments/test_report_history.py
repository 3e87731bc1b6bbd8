"""A report's history page: every change to the report, its values and its evidence, with
who made it, when, and each field's old and new value; scoped like the report itself."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assignments import services
from assignments.models import Evidence, Report
from tests.assignments.reporting import PDF_BYTES, make_report, upload

pytestmark = pytest.mark.django_db

D = Decimal


def _save(client, report_pk: int, *, submit_by=None, **fields) -> None:
    """Post the report form as the page does, built from the report as it now is; with
    `submit_by`, then send it (the yearly report's sending moves its sections alike)."""
    report = Report.objects.get(pk=report_pk)
    data = {"progress": report.progress, "narrative": report.narrative, "version": report.version}
    data |= {"save": "1"}
    response = client.post(reverse("assignments:report-update", args=[report_pk]), data | fields)
    assert response.status_code == 302
    if submit_by is not None:
        services.submit_report(report=Report.objects.get(pk=report_pk), by=submit_by)


def _summary(entries) -> list[tuple]:
    return [
        (
            entry.subject,
            str(entry.kind),
            entry.user.username if entry.user else None,
            {str(field): (old, new) for field, old, new in entry.changes},
            entry.note,
        )
        for entry in entries
    ]


def moved(old: str, new: str, version: int) -> dict:
    return {"trạng thái": (old, new), "phiên bản": (version, version + 1)}


def test_each_step_of_a_reviewed_report_shows_who_and_old_and_new_values(
    world, today, media, agency_client, agency_user, noivu_staff, leader_client
):
    on_time, level_3 = (f"target_{world.targets[key].pk}" for key in ("on_time", "level_3"))
    agency_client.post(reverse("assignments:report-create", args=[2019, world.tasks["1.1"].pk]))
    pk = Report.objects.get().pk
    _save(
        agency_client,
        pk,
        progress="in_progress",
        narrative="Đã ban hành kế hoạch.",
        evidence=upload("Quyết định 12.pdf", PDF_BYTES),
        **{on_time: "90", level_3: "60"},
    )
    _save(agency_client, pk, submit_by=agency_user, **{on_time: "90", level_3: "60"})
    # Sở Nội vụ reviews the yearly report; the task report's own steps are the same.
    report = Report.objects.get(pk=pk)
    services.return_report(
        report=report, by=noivu_staff, reason="Thiếu số liệu mức độ 3.", version=report.version
    )
    _save(
        agency_client,
        pk,
        narrative="Đã ban hành kế hoạch, bổ sung số liệu.",
        delete_evidence=Evidence.objects.get().pk,
        **{on_time: "90", level_3: "75"},
    )
    _save(agency_client, pk, submit_by=agency_user, **{on_time: "90", level_3: "75"})
    report = Report.objects.get(pk=pk)
    services.accept_report(
        report=report, by=noivu_staff, note="Đạt yêu cầu.", version=report.version
    )
    assert Report.objects.get().status == Report.Status.ACCEPTED

    response = leader_client.get(reverse("assignments:report-history", args=[pk]))

    assert response.status_code == 200
    entries = _summary(response.context["entries"])
    report_steps = [entry for entry in entries if entry[0] == "Báo cáo"]
    agency, noivu = "canbo.sotuphap", "noivu"
    # Saved (a new version, nothing else changed), then sent.
    assert report_steps == [
        ("Báo cáo", "Sửa", noivu, moved("Đã gửi", "Đã chấp nhận", 8), "Đạt yêu cầu."),
        ("Báo cáo", "Sửa", agency, moved("Đang soạn", "Đã gửi", 7), ""),
        ("Báo cáo", "Sửa", agency, {"phiên bản": (6, 7)}, ""),
        (
            "Báo cáo",
            "Sửa",
            agency,
            moved("Bị trả lại", "Đang soạn", 5)
            | {
                "kết quả thực hiện": (
                    "Đã ban hành kế hoạch.",
                    "Đã ban hành kế hoạch, bổ sung số liệu.",
                )
            },
            "",
        ),
        ("Báo cáo", "Sửa", noivu, moved("Đã gửi", "Bị trả lại", 4), "Thiếu số liệu mức độ 3."),
        ("Báo cáo", "Sửa", agency, moved("Đang soạn", "Đã gửi", 3), ""),
        ("Báo cáo", "Sửa", agency, {"phiên bản": (2, 3)}, ""),
        (
            "Báo cáo",
            "Sửa",
            agency,
            {
                "tiến độ": ("Chưa triển khai", "Đang triển khai"),
                "kết quả thực hiện": ("", "Đã ban hành kế hoạch."),
                "phiên bản": (1, 2),
            },
            "",
        ),
        (
            "Báo cáo",
            "Tạo mới",
            agency,
            {
                "trạng thái": (None, "Đang soạn"),
                "tiến độ": (None, "Chưa triển khai"),
                "phiên bản": (None, 1),
            },
            "",
        ),
    ]
    others = [entry for entry in entries if entry[0] != "Báo cáo"]
    level_3_result = "Kết quả chỉ tiêu “Tỷ lệ thủ tục mức độ 3”"
    on_time_result = "Kết quả chỉ tiêu “Tỷ lệ văn bản ban hành đúng hạn”"
    evidence = "Tài liệu minh chứng “Quyết định 12.pdf”"
    assert (
        level_3_result,
        "Sửa",
        agency,
        {"kết quả đạt được": (D("60"), D("75"))},
        "",
    ) in others
    assert (level_3_result, "Tạo mới", agency, {"kết quả đạt được": (None, D("60"))}, "") in others
    assert (on_time_result, "Tạo mới", agency, {"kết quả đạt được": (None, D("90"))}, "") in others
    removed, added = (entry for entry in entries if entry[0] == evidence)
    assert added[1:3] == ("Tạo mới", agency)
    assert added[3]["tên tệp gốc"] == (None, "Quyết định 12.pdf")
    assert added[3]["dung lượng (byte)"] == (None, len(PDF_BYTES))
    assert removed[1:3] == ("Xóa", agency)
    assert removed[3]["tên tệp gốc"] == ("Quyết định 12.pdf", None)
    assert len(entries) == len(report_steps) + 3 + 2  # nothing else, nothing twice
    page = response.content.decode()
    assert "Thiếu số liệu mức độ 3." in page
    assert "Trạng thái: <del>Đã gửi</del> → <ins>Bị trả lại</ins>" in page
    assert "(UTC+0700)" in page


def test_entries_are_newest_first_with_the_local_time_and_its_zone(
    world, today, agency_client, agency_user
):
    report = make_report(world, "1.1", narrative="")
    services.save_report(
        report=report, by=agency_user, progress="done", narrative="Xong.", values={}, version=1
    )

    response = agency_client.get(reverse("assignments:report-history", args=[report.pk]))

    entries = response.context["entries"]
    assert [str(entry.kind) for entry in entries] == ["Sửa", "Tạo mới"]
    assert entries[0].at > entries[1].at
    assert "Asia/Ho_Chi_Minh" in response.content.decode()


def test_report_page_links_to_its_history(world, today, agency_client):
    report = make_report(world, "1.1")

    response = agency_client.get(reverse("assignments:report-detail", args=[report.pk]))

    assert reverse("assignments:report-history", args=[report.pk]) in response.content.decode()


def test_other_agency_gets_404(world, today, other_client):
    report = make_report(world, "1.1")

    response = other_client.get(reverse("assignments:report-history", args=[report.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["leader_client", "noivu_client", "agency_client"])
def test_own_agency_and_readers_can_read(request, world, today, persona):
    report = make_report(world, "1.1")
    client = request.getfixturevalue(persona)

    response = client.get(reverse("assignments:report-history", args=[report.pk]))

    assert response.status_code == 200
    assert response.context["report"] == report


def test_anonymous_goes_to_login_and_post_is_refused(world, client, agency_client):
    report = make_report(world, "1.1")
    url = reverse("assignments:report-history", args=[report.pk])

    assert client.get(url).url == f"{reverse('login')}?next={url}"
    assert agency_client.post(url).status_code == 405


def _edit(report: Report, user, times: int) -> None:
    for number in range(times):
        report.refresh_from_db()
        services.save_report(
            report=report,
            by=user,
            progress="in_progress",
            narrative=f"Lần sửa thứ {number}",
            values={},
            version=report.version,
        )


@pytest.mark.parametrize("changes", [2, 12])
def test_query_count_does_not_grow_with_the_history(
    world, today, media, agency_client, agency_user, django_assert_num_queries, changes
):
    report = make_report(world, "1.1")
    other = make_report(world, "1.2")
    targets = {world.targets["on_time"].pk: D("90"), world.targets["level_3"].pk: D("80")}
    for number in range(changes):
        report.refresh_from_db()
        services.save_report(
            report=report,
            by=agency_user,
            progress="in_progress",
            narrative=f"Lần sửa thứ {number}",
            values={key: value + number for key, value in targets.items()},
            version=report.version,
        )
        services.add_evidence(
            report=report,
            # Each a different file: the library stores one file once.
            upload=upload(f"tệp {number}.pdf", PDF_BYTES + str(number).encode()),
            content_type="application/pdf",
            extension=".pdf",
            by=agency_user,
        )
    _edit(other, agency_user, 2)
    url = reverse("assignments:report-history", args=[report.pk])

    # session, user, user's groups, membership with agency, report with cycle, plan, agency,
    # task and area (one query), report / value (with targets) / evidence history, transitions
    with django_assert_num_queries(9):
        response = agency_client.get(url)

    assert len(response.context["entries"]) == 1 + changes * (1 + 2 + 1)

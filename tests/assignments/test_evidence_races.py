"""Evidence added or deleted while the report is being sent: the report's state is read
again under a row lock, so no file lands on (or leaves) a report already sent."""

import threading
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from assignments import services
from assignments.models import Evidence, Report
from tests.assignments.reporting import PDF_BYTES, make_report, upload

ROUNDS = 12


def _add(report: Report, by) -> Evidence:
    return services.add_evidence(
        report=report,
        upload=upload("quyết định.pdf", PDF_BYTES),
        content_type="application/pdf",
        extension=".pdf",
        by=by,
    )


@pytest.mark.django_db
def test_adding_to_a_report_sent_after_the_page_was_read_is_refused(
    world, today, media, agency_user
):
    page_report = make_report(world, "1.1")  # what the upload view read: a draft
    services.submit_report(report=Report.objects.get(pk=page_report.pk), by=agency_user)

    with pytest.raises(ValidationError, match="Báo cáo đã gửi"):
        _add(page_report, agency_user)

    assert not Evidence.objects.exists()
    assert not list(media.rglob("*.pdf"))


@pytest.mark.django_db
def test_deleting_from_a_report_sent_after_the_page_was_read_is_refused(
    world, today, media, agency_user
):
    report = make_report(world, "1.1")
    evidence = _add(report, agency_user)
    page_evidence = Evidence.objects.select_related("report").get(pk=evidence.pk)
    services.submit_report(report=Report.objects.get(pk=report.pk), by=agency_user)

    with pytest.raises(ValidationError, match="Báo cáo đã gửi"):
        services.delete_evidence(evidence=page_evidence, by=agency_user)

    assert Evidence.objects.filter(pk=evidence.pk).exists()
    assert evidence.file.storage.exists(evidence.file.name)


@pytest.fixture
def postgres(django_db_serialized_rollback, transactional_db) -> None:
    # Serialized rollback: the roles' groups, made by a migration, outlive the flush.
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections are tested on PostgreSQL")


def _submit_counting(report_pk: int, by) -> int:
    """Send the report; the evidence it was sent with, counted inside its own transaction."""
    with transaction.atomic():
        services.submit_report(report=Report.objects.get(pk=report_pk), by=by)
        return Evidence.objects.filter(report=report_pk).count()


def _race(first, second) -> list[object]:
    """Run two callables together on their own connections; their results or errors."""
    barrier = threading.Barrier(2)
    outcomes: list[object] = [None, None]

    def run(index: int, action) -> None:
        try:
            barrier.wait()
            outcomes[index] = action()
        except Exception as error:  # noqa: BLE001 - the test looks at every outcome
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate((first, second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_upload_racing_the_submission_never_lands_after_it(
    postgres, world, today, media, agency_user
):
    for round_number in range(ROUNDS):
        Report.objects.all().delete()
        report = make_report(world, "1.1")
        page_report = Report.objects.get(pk=report.pk)  # read by the upload's view

        sent_with, added = _race(
            partial(_submit_counting, report.pk, agency_user),
            partial(_add, page_report, agency_user),
        )

        assert isinstance(sent_with, int), sent_with
        assert isinstance(added, Evidence | ValidationError), added
        on_report = Evidence.objects.filter(report=report.pk).count()
        assert on_report == sent_with, f"round {round_number}: a file landed after sending"


def test_delete_racing_the_submission_never_removes_what_was_sent(
    postgres, world, today, media, agency_user
):
    for round_number in range(ROUNDS):
        Report.objects.all().delete()
        report = make_report(world, "1.1")
        evidence = _add(report, agency_user)
        page_evidence = Evidence.objects.select_related("report").get(pk=evidence.pk)

        sent_with, deleted = _race(
            partial(_submit_counting, report.pk, agency_user),
            partial(services.delete_evidence, evidence=page_evidence, by=agency_user),
        )

        assert isinstance(sent_with, int), sent_with
        assert deleted is None or isinstance(deleted, ValidationError), deleted
        on_report = Evidence.objects.filter(report=report.pk).count()
        assert on_report == sent_with, f"round {round_number}: a file left after sending"

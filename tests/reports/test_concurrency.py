"""Two staff saving the same score at once: exactly one wins, on real concurrent connections."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from criteria.models import Criterion, Framework, Score
from reports.services import ScoreEntry, StaleRowError, save_scores

WRITERS = 6


@pytest.fixture
def postgres(transactional_db, django_db_serialized_rollback) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks between connections are tested on PostgreSQL")


@pytest.fixture
def criterion(postgres) -> Criterion:
    framework = Framework.objects.create(code="QĐ 2948/QĐ-BNV", name="Đề án", first_year=2017)
    return Criterion.objects.create(framework=framework, code="1", title="Lĩnh vực", max_score=10)


def race(criterion: Criterion, user, version: int) -> list[object]:
    """Start WRITERS threads together, each saving its own value over `version`."""
    barrier = threading.Barrier(WRITERS)
    outcomes: list[object] = [None] * WRITERS

    def write(index: int) -> None:
        try:
            barrier.wait()
            entry = ScoreEntry(value=Decimal(index + 1), version=version)
            save_scores(criterion=criterion, year=2018, entries={"official": entry}, by=user)
            outcomes[index] = "saved"
        except StaleRowError:
            outcomes[index] = "stale"
        except Exception as error:  # noqa: BLE001 - the test reports anything else
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


def test_concurrent_updates_of_one_version_have_exactly_one_winner(criterion, admin_user):
    Score.objects.create(criterion=criterion, year=2018, kind="official", value=Decimal("9.5"))

    outcomes = race(criterion, admin_user, version=1)

    assert sorted(map(str, outcomes)) == ["saved"] + ["stale"] * (WRITERS - 1)
    score = Score.objects.get(criterion=criterion, year=2018, kind="official")
    assert score.version == 2
    assert score.value == Decimal(outcomes.index("saved") + 1)
    assert score.history.count() == 2


def test_concurrent_first_entries_have_exactly_one_winner(criterion, admin_user):
    outcomes = race(criterion, admin_user, version=0)

    assert sorted(map(str, outcomes)) == ["saved"] + ["stale"] * (WRITERS - 1)
    assert Score.objects.filter(criterion=criterion, year=2018).count() == 1

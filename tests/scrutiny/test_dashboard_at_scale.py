"""The dashboard and the staff topic list cost what one page of the user's own work costs:
counts in SQL, one page of items fetched in SQL order with LIMIT, filter choices from the user's
memberships, visibility one semi-join on the access index (docs/decisions/0019)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scrutiny.casework import selectors
from scrutiny.casework.models import InformationRequest, Recommendation, Topic
from scrutiny.casework.policy import case_files_visible_to, topics_visible_to
from tests.factories import TopicFactory

PAGE = 25


def add_drafts(area, count, *, start=0):
    """`count` draft asks ("Drafts to issue"), alternately requests and recommendations, on
    topics of their own: titles sort in creation order."""
    for n in range(start, start + count):
        topic = TopicFactory(partnership=area.partnership, title=f"Case {n:04d}")
        if n % 2:
            Recommendation.all_objects.create(
                topic=topic, made_by=area.network, recipient=area.trust, text=f"Rec {n}"
            )
        else:
            InformationRequest.all_objects.create(
                topic=topic, requested_by=area.network, recipient=area.trust, question=f"Q {n}"
            )


@pytest.fixture
def built(monkeypatch):
    """Counts the work items the dashboard builds (objects made for the page)."""
    made = []
    real = selectors.WorkItem

    def counting(*args, **kwargs):
        made.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(selectors, "WorkItem", counting)
    return made


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, ctx.captured_queries


def test_the_dashboard_builds_one_page_of_items_not_all_of_them(client, area, officer, built):
    add_drafts(area, 40)
    client.force_login(officer)
    response, _ = _get(client, "/work/")
    assert len(response.context["page_obj"].object_list) == PAGE
    assert response.context["total"] == 40
    assert len(built) == PAGE


def test_queries_and_rows_fetched_do_not_grow_with_the_work(client, area, officer, built):
    client.force_login(officer)
    add_drafts(area, 10)
    _, small = _get(client, "/work/?sort=topic")
    made_small = len(built)
    add_drafts(area, 90, start=10)
    built.clear()
    response, large = _get(client, "/work/?sort=topic")
    assert len(large) == len(small)
    assert made_small == 10 and len(built) == PAGE
    assert response.context["total"] == 100
    # The page's keys are one ordered query with LIMIT; every item query names its ids.
    keyed = [q["sql"] for q in large if "kind_order" in q["sql"]]
    assert len(keyed) == 1 and "LIMIT 25" in keyed[0]


def test_pages_follow_one_sql_order_across_kinds(client, area, officer):
    add_drafts(area, 30)
    client.force_login(officer)
    seen = []
    for page in (1, 2):
        response, _ = _get(client, f"/work/?sort=topic&page={page}")
        seen += [item.topic.title for item in response.context["page_obj"].object_list]
    assert seen == [f"Case {n:04d}" for n in range(30)]
    kinds = {item.kind for item in response.context["page_obj"].object_list}
    assert kinds == {"request", "recommendation"}


def test_counts_are_one_aggregate_query(area, officer):
    add_drafts(area, 6)
    dashboard = selectors.Dashboard(
        officer,
        today=selectors.dt.date(2026, 1, 5),
        soon_until=selectors.dt.date(2026, 1, 12),
        filters=selectors.DashboardFilters(),
    )
    with CaptureQueriesContext(connection) as ctx:
        counts = dashboard.counts()
    assert len(ctx.captured_queries) == 1
    assert counts[selectors.TO_ISSUE] == 6 and sum(counts.values()) == 6


def test_a_page_past_the_end_shows_the_last_page(client, area, officer):
    add_drafts(area, 30)
    client.force_login(officer)
    response, _ = _get(client, "/work/?page=99")
    assert response.context["page_obj"].number == 2
    assert len(response.context["page_obj"].object_list) == 5


def test_filter_choices_come_from_memberships_not_the_topics(area, officer):
    """The partnership dropdown sorted every joined topic row (7,396 at national scale) to find
    one partnership: it is now the partnerships of the user's bodies."""
    add_drafts(area, 3)
    bodies, partnerships, _health_bodies = selectors.filter_choices(officer)
    assert list(partnerships) == [area.partnership]
    assert "scrutiny_topic" not in str(partnerships.query)
    assert "DISTINCT" not in str(partnerships.query)
    assert set(bodies) == {area.network, area.committee}


@pytest.mark.parametrize("reader", [topics_visible_to, case_files_visible_to])
def test_visibility_is_one_semi_join_on_the_access_index(area, officer, reader):
    """Not an OR of the group and the per-user guardian subqueries (PostgreSQL scanned every
    topic): one IN over the access index, with the user's body ids as literals."""
    TopicFactory(partnership=area.partnership)
    sql = str(reader(officer).query)
    assert sql.count("SELECT") == 2
    assert "scrutiny_topicaccess" in sql
    assert " OR " not in sql
    assert reader(officer).count() == 1


def test_the_topic_list_is_paged_in_sql(client, area, officer):
    add_drafts(area, 30)
    client.force_login(officer)
    response, queries = _get(client, "/topics/")
    assert len(response.context["page_obj"].object_list) == PAGE
    listed = [
        q["sql"] for q in queries if 'FROM "scrutiny_topic"' in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert listed and all("LIMIT 25" in sql for sql in listed)
    assert Topic.objects.count() == 30


def test_the_migration_creates_the_indexes_the_queries_need(db):
    """The access index's unique (organisation, topic) serves the semi-join (index-only), the
    topic's own index serves a topic's rows; the topic list's order has an index."""
    with connection.cursor() as cursor:
        access = connection.introspection.get_constraints(cursor, "scrutiny_topicaccess")
        topics = connection.introspection.get_constraints(cursor, "scrutiny_topic")
    by_columns = {tuple(c["columns"]): c for c in access.values() if c["index"] or c["unique"]}
    assert by_columns[("organisation_id", "topic_id")]["unique"]
    assert ("topic_id",) in by_columns
    assert any(c["columns"] == ["created_at", "id"] and c["index"] for c in topics.values())

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from protocols import services as joint_services
from scrutiny.web.public.feeds import DATASETS
from tests.public.builders import build_topic

ATOM = "{http://www.w3.org/2005/Atom}"


def test_atom_feed_lists_published_outcomes(client, area, officer, responder):
    shown = build_topic(area, officer, responder, title="Stroke services")
    build_topic(area, officer, responder, title="Kept back", publish=False)
    response = client.get("/outcomes/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["Stroke services"]
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link == f"{settings.SITE_URL}/outcomes/{shown.pk}/"
    assert "The unit stays" in entries[0].findtext(f"{ATOM}summary")


@pytest.mark.parametrize("slug", list(DATASETS))
def test_csv_and_json_have_the_documented_fields(client, area, officer, responder, slug):
    topic = build_topic(area, officer, responder)
    programme = joint_services.programme_set(
        partnership=area.partnership,
        by=officer,
        year=joint_services.municipal_year_of(timezone.localdate()),
        topic_capacity=3,
    )
    joint_services.programme_schedule(programme=programme, by=officer, topic=topic)
    names = [f.name for f in DATASETS[slug].fields]
    rows = list(csv.reader(io.StringIO(client.get(f"/data/{slug}.csv").content.decode())))
    assert rows[0] == names
    assert len(rows) == 2 if slug in ("outcomes", "work-programmes") else len(rows) >= 2
    data = json.loads(client.get(f"/data/{slug}.json").content)
    assert data["dataset"] == slug and data["count"] == len(data["results"]) == len(rows) - 1
    assert list(data["results"][0]) == names


def test_downloads_hold_public_rows_only(client, area, officer, responder):
    build_topic(area, officer, responder, title="Shown", question="PUBLICQ")
    build_topic(area, officer, responder, title="Hidden", question="SECRETQ", publish=False)
    for slug in DATASETS:
        for fmt in ("csv", "json"):
            body = client.get(f"/data/{slug}.{fmt}").content.decode()
            assert "SECRETQ" not in body and "Hidden" not in body
    assert "PUBLICQ" in client.get("/data/requests.csv").content.decode()


def test_csv_cells_cannot_start_a_formula(client, area, officer, responder):
    build_topic(area, officer, responder, answer='=HYPERLINK("http://evil.example")')
    rows = list(csv.DictReader(io.StringIO(client.get("/data/responses.csv").content.decode())))
    texts = {r["text"] for r in rows}
    assert '\'=HYPERLINK("http://evil.example")' in texts
    data = json.loads(client.get("/data/responses.json").content)
    assert '=HYPERLINK("http://evil.example")' in {r["text"] for r in data["results"]}


def test_unknown_dataset_is_404(client, db):
    assert client.get("/data/people.csv").status_code == 404


def test_data_dictionary_documents_every_field():
    doc = (Path(settings.BASE_DIR) / "docs" / "open-data.md").read_text()
    for dataset in DATASETS.values():
        assert f"/data/{dataset.slug}.csv" in doc
        for field in dataset.fields:
            assert f"| `{field.name}` |" in doc, f"{dataset.slug}.{field.name}"


def test_data_page_lists_every_download(client, db):
    page = client.get("/data/").content.decode()
    for slug in DATASETS:
        assert f"/data/{slug}.csv" in page and f"/data/{slug}.json" in page

"""The done-when of agenda packs (issue 17, Build 3) on the demo itself: the public pack PDF of a
demo meeting with an exempt item and papers holds its agenda and the text of every non-exempt
paper, and no exempt item or paper, read back from the PDF with pypdf."""

import io
import os
import re

import pypdf
import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from protocols.models import Meeting, Paper
from protocols.services import packs

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def paper_texts(paper: Paper) -> list[str]:
    """The paper's text, page by page (the pack puts its own footer between the pages)."""
    with paper.file.open("rb") as handle:
        data = handle.read()
    if paper.content_type == "application/pdf":
        reader = pypdf.PdfReader(io.BytesIO(data))
        return [flat(page.extract_text()) for page in reader.pages]
    return [flat(data.decode())]


def download(client, url) -> pypdf.PdfReader:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/pdf"
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body.startswith(b"%PDF-")
    return pypdf.PdfReader(io.BytesIO(body))


def test_public_pack_of_a_demo_meeting_holds_its_agenda_and_public_papers_only(client):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    meeting = (
        Meeting.objects.filter(
            agenda_published_at__isnull=False, items__exempt=True, items__papers__isnull=False
        )
        .distinct()
        .first()
    )
    assert meeting is not None, "the demo has no published agenda with an exempt item"
    items = list(meeting.items.prefetch_related("papers").order_by("position"))
    public = [it for it in items if not it.exempt]
    exempt = [it for it in items if it.exempt]
    assert public and exempt
    assert any(p.content_type == "application/pdf" for it in public for p in it.papers.all())
    assert any(it.papers.exists() for it in exempt)

    url = f"/meetings/{meeting.pk}/pack.pdf"
    first = client.get(url)
    assert first.status_code == 202  # asking queues the build; the worker builds it
    DBTaskResult.objects.filter(task_path="protocols.tasks.build_pack").delete()
    for pk in meeting.packs.values_list("pk", flat=True):
        assert packs.agenda_pack_build(pk) == "built"

    reader = download(client, url)
    text = flat(" ".join(page.extract_text() for page in reader.pages))
    assert flat(meeting.title) in text
    for it in public:
        assert flat(it.title) in text, it.title
        for paper in it.papers.all():
            assert flat(paper.title) in text, paper.title
            if paper.content_type in ("application/pdf", "text/plain"):
                for page in paper_texts(paper):
                    assert page in text, paper.title
    for it in exempt:
        assert flat(it.title) not in text
        if it.public_interest_reason:
            assert flat(it.public_interest_reason) not in text
        for paper in it.papers.all():
            assert flat(paper.title) not in text
            for page in paper_texts(paper):
                # Not even one sentence of it (a whole page missing would prove little).
                for sentence in re.split(r"(?<=[.:])\s", page):
                    assert len(sentence) < 12 or sentence not in text, sentence
    assert "considered in private" in text
    outline = [node.title for node in reader.outline if not isinstance(node, list)]
    assert any(flat(public[0].title) in flat(title) for title in outline), outline

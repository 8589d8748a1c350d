"""Officers', members' and public pages of the casework."""

from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from scrutiny.permissions import topics_visible_to


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 when it does not."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse({"status": "unavailable", "database": str(exc)[:200]}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def topic_detail(request, pk):
    topic = get_object_or_404(topics_visible_to(request.user), pk=pk)
    return render(request, "scrutiny/topic_detail.html", {"topic": topic})

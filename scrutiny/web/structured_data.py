"""schema.org JSON-LD for public pages (docs/open-data.md): meetings as `Event`s, bodies as
`GovernmentOrganization` or `MedicalOrganization` with their NHS ODS (or ONS GSS) identifier, so
search engines and aggregators can join them with NHS England, CQC and ONS data."""

from __future__ import annotations

import json

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from scrutiny.casework.models import Organisation

# What would close the script element or start markup inside it, escaped as JSON allows.
_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}

HB = Organisation.HealthBodyKind
# Providers of care are medical organisations; commissioners and councils are government.
MEDICAL_KINDS = {HB.NHS_TRUST, HB.FOUNDATION_TRUST, HB.GP_PRACTICE, HB.INDEPENDENT_PROVIDER}

EVENT_STATUS = {
    "scheduled": "https://schema.org/EventScheduled",
    "held": "https://schema.org/EventScheduled",  # it took place as scheduled
    "cancelled": "https://schema.org/EventCancelled",
}


def json_ld_script(data: dict) -> SafeString:
    """`data` as a `<script type="application/ld+json">` element, safe inside HTML."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_ESCAPES)
    return mark_safe(f'<script type="application/ld+json">{text}</script>')


def _site(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _identifiers(org: Organisation) -> list[dict]:
    ids = []
    if org.ods_code:
        ids.append({"@type": "PropertyValue", "propertyID": "NHS ODS", "value": org.ods_code})
    if org.gss_code:
        ids.append({"@type": "PropertyValue", "propertyID": "ONS GSS", "value": org.gss_code})
    return ids


def organisation_ld(org: Organisation) -> dict:
    kind = (
        "MedicalOrganization"
        if org.is_health_body and org.health_body_kind in MEDICAL_KINDS
        else "GovernmentOrganization"
    )
    data = {"@type": kind, "name": org.name}
    if org.is_health_body:
        data["url"] = _site(reverse("public:health-body", args=[org.slug]))
    if org.website:
        data["sameAs"] = org.website
    if org.area:
        data["areaServed"] = org.area
    ids = _identifiers(org)
    if ids:
        data["identifier"] = ids
    return data


def body_json_ld(org: Organisation) -> SafeString:
    return json_ld_script({"@context": "https://schema.org", **organisation_ld(org)})


def meeting_json_ld(meeting) -> SafeString:
    """A public meeting as a schema.org `Event`: its status, start and end, where it is (a
    place, a link, or both) and who holds it."""
    data = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": meeting.title,
        "url": _site(reverse("protocols:meeting-detail", args=[meeting.pk])),
        "startDate": meeting.starts_at().isoformat(),
        "endDate": meeting.ends_at().isoformat(),
        "eventStatus": EVENT_STATUS.get(meeting.state, EVENT_STATUS["scheduled"]),
    }
    locations = []
    if meeting.place:
        locations.append({"@type": "Place", "name": meeting.place, "address": meeting.place})
    if meeting.online_url:
        locations.append({"@type": "VirtualLocation", "url": meeting.online_url})
    if locations:
        data["location"] = locations[0] if len(locations) == 1 else locations
        data["eventAttendanceMode"] = (
            "https://schema.org/MixedEventAttendanceMode"
            if len(locations) == 2
            else "https://schema.org/OnlineEventAttendanceMode"
            if meeting.online_url
            else "https://schema.org/OfflineEventAttendanceMode"
        )
    if meeting.body_id:
        data["organizer"] = organisation_ld(meeting.body)
    else:
        data["organizer"] = {"@type": "Organization", "name": meeting.partnership.name}
    return json_ld_script(data)

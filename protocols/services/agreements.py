"""Joint working protocols: create, draft the next version, edit, sign off, review, compare."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from protocols.models import (
    SECTION_KEYS,
    SECTIONS,
    Protocol,
    ProtocolSignOff,
    ProtocolVersion,
    VersionState,
)
from protocols.services.common import _clean
from scrutiny.casework.models import Organisation, Partnership
from scrutiny.casework.policy import can, owner_ids
from scrutiny.casework.roles import Perm
from workflows.audit import EventType, log_event
from workflows.errors import Conflict, Forbidden, InvalidInput
from workflows.services import transition_apply, transition_available

# --- Protocols ------------------------------------------------------------------------------


def _section_values(values: dict) -> dict:
    unknown = set(values) - set(SECTION_KEYS) - {"acknowledgement_days", "review_on"}
    if unknown:
        raise InvalidInput(f"Unknown protocol fields: {', '.join(sorted(unknown))}.")
    out = {k: _clean(v) for k, v in values.items() if k in SECTION_KEYS}
    if "acknowledgement_days" in values:
        try:
            days = int(values["acknowledgement_days"])
        except (TypeError, ValueError):
            days = 0
        if not 1 <= days <= 366:
            raise InvalidInput(
                "Enter the acknowledgement period in working days.",
                field_errors={"acknowledgement_days": ["Enter a number from 1 to 366."]},
            )
        out["acknowledgement_days"] = days
    if "review_on" in values:
        review_on = values["review_on"]
        if review_on is not None and not isinstance(review_on, dt.date):
            raise InvalidInput(
                "Enter the review date.", field_errors={"review_on": ["Enter a real date."]}
            )
        out["review_on"] = review_on
    return out


def _require_party_officer(by, protocol):
    if not can(by, Perm.PROTOCOL_MANAGE, protocol):
        raise Forbidden("Only a support officer of a party to the partnership may do this.")


def protocol_create(*, partnership: Partnership, by, title: str, **sections) -> Protocol:
    """A new protocol for `partnership`, with version 1 as a draft."""
    title = _clean(title)
    if not title:
        raise InvalidInput("Enter a title.", field_errors={"title": ["Enter a title."]})
    values = _section_values(sections)
    probe = Protocol(partnership=partnership)
    _require_party_officer(by, probe)
    with transaction.atomic():
        protocol = Protocol.objects.create(partnership=partnership, title=title)
        version = ProtocolVersion.objects.create(
            protocol=protocol, number=1, created_by=by, **values
        )
        log_event(version, EventType.PROTOCOL_VERSION_DRAFTED, by=by, source_state="")
    return protocol


def protocol_version_draft_next(*, protocol: Protocol, by) -> ProtocolVersion:
    """Start the next version as a draft, copying the text of the latest version."""
    _require_party_officer(by, protocol)
    with transaction.atomic():
        Protocol.objects.select_for_update().get(pk=protocol.pk)
        if protocol.versions.filter(state=VersionState.DRAFT).exists():
            raise Conflict("A draft version already exists: edit that one.")
        latest = protocol.versions.order_by("-number").first()
        copied = {k: getattr(latest, k) for k in (*SECTION_KEYS, "acknowledgement_days")}
        version = ProtocolVersion.objects.create(
            protocol=protocol,
            number=(latest.number + 1) if latest else 1,
            created_by=by,
            review_on=None,
            **copied,
        )
        log_event(
            version,
            EventType.PROTOCOL_VERSION_DRAFTED,
            by=by,
            note=f"from version {latest.number}",
            data={"from_version": latest.number},
            source_state="",
        )
    return version


def protocol_version_update(*, version: ProtocolVersion, by, **values) -> ProtocolVersion:
    """Edit a draft. Changing the text withdraws the sign-offs already given: a party signs
    the words it read. The review date of a version in force can still be changed."""
    clean = _section_values(values)
    _require_party_officer(by, version)
    with transaction.atomic():
        locked = ProtocolVersion.objects.select_for_update().get(pk=version.pk)
        text_changed = any(getattr(locked, k) != v for k, v in clean.items() if k != "review_on")
        if locked.state != VersionState.DRAFT:
            if text_changed:
                raise Conflict(
                    "Only a draft can be edited: start the next version to change the text."
                )
            if locked.state == VersionState.SUPERSEDED:
                raise Conflict("A superseded version cannot be changed.")
        if not any(getattr(locked, k) != v for k, v in clean.items()):
            return locked
        for k, v in clean.items():
            setattr(locked, k, v)
        locked.sequence += 1
        locked.save()
        withdrawn = 0
        if text_changed:
            withdrawn, _ = locked.sign_offs.all().delete()
        log_event(
            locked,
            EventType.PROTOCOL_VERSION_EDITED,
            by=by,
            note=f"{withdrawn} sign-off(s) withdrawn because the text changed" if withdrawn else "",
            data={"sign_offs_withdrawn": withdrawn},
        )
    return locked


def protocol_version_sign_off(
    *,
    version: ProtocolVersion,
    by,
    organisation: Organisation,
    signatory_name: str = "",
    on: dt.date | None = None,
) -> ProtocolVersion:
    """`organisation`'s officer signs off a draft. When every party has signed, the version is
    agreed and the version it replaces is superseded, in the same transaction."""
    if organisation.pk not in owner_ids(version):
        raise InvalidInput(
            "Only a party to the partnership signs off its protocol.",
            field_errors={"organisation": ["Choose a party to the partnership."]},
        )
    if not can(by, Perm.PROTOCOL_SIGN, organisation):
        raise Forbidden("You may sign off only for a body whose support officer you are.")
    name = _clean(signatory_name) or by.get_full_name() or by.get_username()
    with transaction.atomic():
        locked = ProtocolVersion.objects.select_for_update().get(pk=version.pk)
        if locked.state != VersionState.DRAFT:
            raise Conflict(
                f"This version is '{locked.get_state_display()}': only drafts are signed.",
                current_state=locked.state,
            )
        if not any(_clean(getattr(locked, k)) for k in SECTION_KEYS):
            raise InvalidInput("Write the protocol's sections before signing it off.")
        locked = transition_apply(
            instance=locked, name="sign_off", by=by, note=f"{organisation} ({name})"
        )
        try:
            with transaction.atomic():
                ProtocolSignOff.objects.create(
                    version=locked, organisation=organisation, signed_by=by, signatory_name=name
                )
        except IntegrityError as exc:
            raise Conflict(f"{organisation} has already signed off this version.") from exc
        if transition_available(locked, "agree"):
            on = on or timezone.localdate()
            previous = list(
                ProtocolVersion.objects.filter(
                    protocol_id=locked.protocol_id,
                    state__in=[VersionState.AGREED, VersionState.UNDER_REVIEW],
                ).exclude(pk=locked.pk)
            )
            # The old version leaves force first: one version in force per protocol is also a
            # database constraint, checked row by row.
            for old in previous:
                transition_apply(
                    instance=old,
                    name="supersede",
                    by=by,
                    on=on,
                    note=f"superseded by version {locked.number}",
                )
            locked = transition_apply(instance=locked, name="agree", by=by, on=on)
    return locked


def protocol_version_start_review(*, version: ProtocolVersion, by, note: str = ""):
    return transition_apply(instance=version, name="start_review", by=by, note=note)


@dataclass
class SectionDiff:
    key: str
    label: str
    changed: bool
    html: str


def _words(text: str) -> list[str]:
    return re.findall(r"\s+|[^\s]+", text or "")


def _diff_html(old: str, new: str) -> str:
    """Word-level diff as HTML with <del> and <ins>; paragraphs kept."""
    a, b = _words(old), _words(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(escape("".join(a[i1:i2])))
            continue
        # Screen readers rarely announce <del>/<ins>: say it in visually hidden text too.
        if op in ("delete", "replace"):
            out.append(
                '<span class="govuk-visually-hidden">[removed: </span>'
                f'<del class="cf-diff-del">{escape("".join(a[i1:i2]))}</del>'
                '<span class="govuk-visually-hidden">]</span>'
            )
        if op in ("insert", "replace"):
            out.append(
                '<span class="govuk-visually-hidden">[added: </span>'
                f'<ins class="cf-diff-ins">{escape("".join(b[j1:j2]))}</ins>'
                '<span class="govuk-visually-hidden">]</span>'
            )
    html = "".join(out)
    paragraphs = [p for p in html.replace("\r\n", "\n").split("\n\n")]
    return "".join(
        f'<p class="govuk-body">{p.replace(chr(10), "<br>")}</p>' for p in paragraphs if p.strip()
    )


def protocol_diff(old: ProtocolVersion, new: ProtocolVersion) -> list[SectionDiff]:
    """What changed from `old` to `new`, section by section."""
    if old.protocol_id != new.protocol_id:
        raise InvalidInput("Compare two versions of the same protocol.")
    rows = []
    for key, label in SECTIONS:
        a, b = getattr(old, key) or "", getattr(new, key) or ""
        rows.append(SectionDiff(key, label, a != b, mark_safe(_diff_html(a, b))))
    a, b = old.acknowledgement_days, new.acknowledgement_days
    rows.insert(
        2,
        SectionDiff(
            "acknowledgement_days",
            "Acknowledgement period (working days)",
            a != b,
            mark_safe(_diff_html(str(a), str(b))),
        ),
    )
    return rows

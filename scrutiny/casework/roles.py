"""The permission vocabulary: roles, permission names and what each role holds.

A leaf: it imports nothing of ours, so models, grants, the policy and the pages can all use the
words. Who holds what on which object is answered by `scrutiny.casework.policy`
(docs/decisions/0011-one-policy.md); this module only names things.

A person holds a *role* in an organisation (`Membership`). A role grants *permissions* on the
objects of that organisation: its topics and their case files, its meetings, its partnerships'
protocols and suggestions, and — for a health body's responders — what is issued to the body,
its API keys and webhooks. `ROLE_PERMS` is that table; the policy applies it to each kind of
object (docs/decisions/0011-one-policy.md has it as a table).
"""

from __future__ import annotations

from enum import StrEnum

# --- Roles (the values of Membership.role) ---------------------------------------------------

OFFICER = "support_officer"
MEMBER = "committee_member"
CHAIR = "chair"
RESPONDER = "responder"
# An area administrator: manages, inside its own body and that body's partnerships, the people,
# health bodies, wording and settings that only a superuser could change before (issue 16).
AREA_ADMIN = "area_admin"
STAFF_ROLES = frozenset({OFFICER, MEMBER, CHAIR})

# Seats on a committee (protocols.CommitteeSeat.role) that the policy reads: a co-opted member,
# and a substitute for one, open the committee's agenda packs without a role in the committee.
SEAT_CO_OPTEE = "co_optee"
SEAT_SUBSTITUTE = "substitute"


class Perm(StrEnum):
    """Every permission the product checks, one name per thing a person may see or do.

    The values are Django permission codenames: `user.has_perm(Perm.X, obj)` asks the policy
    (it is an authentication backend), and the five topic permissions are also stored as
    guardian rows on topics (`TOPIC_CODENAMES`).
    """

    # The staff pages (dashboard, case files, referrals): an officer, member or chair somewhere.
    STAFF_PAGES = "use_staff_pages"
    # Speak for the body as its chair: the reason of urgency for a late agenda, escalations.
    CHAIR_BODY = "chair_body"
    # Topics and their case files
    TOPIC_RAISE = "raise_topic"  # in an organisation: raise a topic of that body
    TOPIC_VIEW = "view_topic"  # open the topic page (responders: its title and summary only)
    TOPIC_CASE_FILE = "view_case_file"  # the whole case file: timeline, drafts, positions
    TOPIC_MANAGE = "manage_topic"  # move it on, draft and issue, publish, record letters
    TOPIC_PRIORITISE = "prioritise_topic"
    TOPIC_POSITION = "record_position"
    # Information requests and recommendations
    ITEM_VIEW = "view_item"
    RESPOND = "respond"
    # Agree a draft recommendation by chair's action (the chair of the body making it)
    RECOMMENDATION_AGREE = "agree_recommendation"
    # Referrals
    REFERRAL_ACKNOWLEDGE = "acknowledge_referral"
    # Enter and View: plan and move visits, authorise representatives (the network's officers);
    # see a visit's safeguarding concerns (never residents, responders or the API)
    VISIT_MANAGE = "manage_visit"
    SAFEGUARDING_VIEW = "view_safeguarding"
    # Meetings, agendas and papers
    MEETING_VIEW = "view_meeting"  # a published agenda, or any meeting of one's own bodies
    MEETING_IN_FULL = "view_meeting_in_full"  # exempt items and unpublished agendas
    # The agenda pack, "My meetings" and the personal calendar: staff of the meeting's bodies,
    # and the co-optees of its committees (their seats, not a role: scrutiny.casework.policy)
    MEETING_PACK = "view_agenda_pack"
    MEETING_MANAGE = "manage_meeting"  # schedule, agenda, papers, minutes, publication
    PAPER_VIEW = "view_paper"
    # Joint working protocols
    PROTOCOL_VIEW = "view_protocol"  # an agreed version, or any version for the parties' staff
    PROTOCOL_MANAGE = "manage_protocol"  # draft versions, start reviews
    PROTOCOL_SIGN = "sign_protocol"  # in an organisation: sign off for that body
    # Residents' suggestions (and the suggester's contact details)
    SUGGESTION_MODERATE = "moderate_suggestion"
    # The machine interface
    HEALTH_BODY_ACT = "act_for_health_body"  # in a health body: act for it (API, keys)
    KEY_MANAGE = "manage_api_keys"
    WEBHOOK_MANAGE = "manage_webhooks"
    API_READ = "api_read"  # the `read` scope
    API_RESPOND = "api_respond"  # the `respond` scope
    # Area administration (issue 16): in an organisation, manage its people and settings and
    # those of its partnerships; never casework (an administrator who is also an officer holds
    # both roles).
    AREA_ADMINISTER = "administer_area"


_TOPIC_STAFF = (Perm.STAFF_PAGES, Perm.TOPIC_RAISE, Perm.TOPIC_VIEW, Perm.TOPIC_CASE_FILE)
_MEETING_STAFF = (
    Perm.MEETING_VIEW,
    Perm.MEETING_IN_FULL,
    Perm.MEETING_PACK,
    Perm.PAPER_VIEW,
    Perm.PROTOCOL_VIEW,
)

# What each role holds on the objects of the organisation it is held in.
ROLE_PERMS: dict[str, frozenset[Perm]] = {
    OFFICER: frozenset(
        {
            *_TOPIC_STAFF,
            *_MEETING_STAFF,
            Perm.TOPIC_MANAGE,
            Perm.TOPIC_PRIORITISE,
            Perm.TOPIC_POSITION,
            Perm.ITEM_VIEW,
            Perm.RESPOND,  # records a response that came by letter, e-mail or at a meeting
            Perm.REFERRAL_ACKNOWLEDGE,
            Perm.VISIT_MANAGE,
            Perm.SAFEGUARDING_VIEW,
            Perm.MEETING_MANAGE,
            Perm.PROTOCOL_MANAGE,
            Perm.PROTOCOL_SIGN,
            Perm.SUGGESTION_MODERATE,
        }
    ),
    CHAIR: frozenset(
        {
            *_TOPIC_STAFF,
            *_MEETING_STAFF,
            Perm.TOPIC_PRIORITISE,
            Perm.TOPIC_POSITION,
            Perm.ITEM_VIEW,
            Perm.CHAIR_BODY,
            Perm.RECOMMENDATION_AGREE,
        }
    ),
    MEMBER: frozenset({*_TOPIC_STAFF, *_MEETING_STAFF, Perm.TOPIC_POSITION, Perm.ITEM_VIEW}),
    AREA_ADMIN: frozenset({Perm.AREA_ADMINISTER}),
    # A health body's responders: what is issued to the body (and its topic's title and
    # summary), its keys and webhooks, and the API.
    RESPONDER: frozenset(
        {
            Perm.TOPIC_VIEW,
            Perm.ITEM_VIEW,
            Perm.RESPOND,
            Perm.HEALTH_BODY_ACT,
            Perm.KEY_MANAGE,
            Perm.WEBHOOK_MANAGE,
            Perm.API_READ,
            Perm.API_RESPOND,
        }
    ),
}

# Stored as guardian permissions on Topic (codename: name); granted by scrutiny.casework.grants.
TOPIC_CODENAMES: dict[str, str] = {
    Perm.TOPIC_VIEW: "Can view topic",
    Perm.TOPIC_CASE_FILE: "Can see the topic's whole case file",
    Perm.TOPIC_MANAGE: "Can manage the topic's case",
    Perm.TOPIC_PRIORITISE: "Can score and prioritise the topic",
    Perm.TOPIC_POSITION: "Can record a body's position on the topic",
}

# What each role of a topic's body holds on that topic (the guardian rows). A responder's
# `view_topic` is granted only once something is issued to their body.
ROLE_TOPIC_PERMS: dict[str, tuple[Perm, ...]] = {
    role: tuple(p for p in Perm if p in TOPIC_CODENAMES and p in perms)
    for role, perms in ROLE_PERMS.items()
}

# The scopes of an API key (values of ApiKey.Scope). A key acts for its person, only in its
# own body, with the person's role there; its scopes say which of the two API permissions it
# carries (reading, and submitting: responses, implementation updates, webhooks).
SCOPE_PERMS: dict[str, frozenset[Perm]] = {
    "read": frozenset({Perm.API_READ}),
    "respond": frozenset({Perm.API_RESPOND}),
}
# What a key never carries, whatever its person's role: keys are managed on the web pages.
NOT_THROUGH_A_KEY = frozenset({Perm.KEY_MANAGE})

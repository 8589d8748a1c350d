"""Joint working's services: protocols and their versions, meetings, agendas and minutes,
personal calendar tokens. Lifecycle moves go through `workflows.services.transition_apply`.
"""

from protocols.services.agendas import (  # noqa: F401
    agenda_item_add,
    agenda_item_move,
    agenda_item_update,
    item_record_decision,
    paper_add,
)
from protocols.services.agreements import (  # noqa: F401
    SectionDiff,
    protocol_create,
    protocol_diff,
    protocol_version_draft_next,
    protocol_version_sign_off,
    protocol_version_start_review,
    protocol_version_update,
)
from protocols.services.calendars import (  # noqa: F401
    ImportResult,
    calendar_token_create,
    calendar_token_revoke,
    calendar_token_user,
)
from protocols.services.consultations import item_assess_consultation  # noqa: F401
from protocols.services.governance import (  # noqa: F401
    approving_items_for,
    attendance_record,
    committee_rules_set,
    interest_declare,
    minutes_approve,
    minutes_circulate,
    minutes_draft,
    minutes_publish,
    minutes_return_to_draft,
    minutes_update,
    municipal_year_bounds,
    municipal_year_of,
    municipal_year_start,
    seat_add,
    seat_end,
    seats_held_on,
    year_label,
)
from protocols.services.meetings import (  # noqa: F401
    MEETING_FIELDS,
    NeedsConfirmation,
    meeting_cancel,
    meeting_create,
    meeting_give_urgency_reason,
    meeting_mark_held,
    meeting_publish_agenda,
    meeting_request_urgency_reason,
    meeting_update,
    meeting_warnings,
)
from protocols.services.positions import item_agree_position  # noqa: F401
from protocols.services.programmes import (  # noqa: F401
    capacity_warnings,
    check_year,
    programme_schedule,
    programme_set,
    programme_unschedule,
)
from protocols.services.referrals import (  # noqa: F401
    protocol_in_force,
    referral_acknowledgement_rule,
)

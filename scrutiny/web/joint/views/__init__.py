"""Joint working pages: meetings and agendas, protocols, calendars and feeds."""

from scrutiny.web.joint.views.agreements import (  # noqa: F401
    protocol_compare,
    protocol_create,
    protocol_detail,
    protocol_list,
    version_detail,
    version_edit,
    version_new,
    version_review,
    version_sign,
)
from scrutiny.web.joint.views.calendars import (  # noqa: F401
    calendar_body,
    calendar_partnership,
    calendar_personal,
    calendar_public,
    calendars_page,
)
from scrutiny.web.joint.views.governance import (  # noqa: F401
    body_rules,
    body_seats,
    meeting_attendance,
    meeting_declarations,
    minutes_approve,
    minutes_detail,
    minutes_edit,
    minutes_move,
    minutes_pdf,
)
from scrutiny.web.joint.views.meetings import (  # noqa: F401
    item_add,
    item_decision,
    item_edit,
    item_move,
    meeting_cancel,
    meeting_create,
    meeting_detail,
    meeting_edit,
    meeting_held,
    meeting_import,
    meeting_list,
    meeting_pack,
    meeting_publish,
    meeting_urgency,
    meeting_urgency_request,
    my_meetings,
    paper_add,
    paper_download,
)
from scrutiny.web.joint.views.packs import (  # noqa: F401
    meeting_pack_members_pdf,
    meeting_pack_pdf,
)

"""Staff pages: support officers' and committee members' casework, one module per page family.

Views are thin: they find the object through a visibility selector (404 when the user may not
see it), validate a form and call a service through `scrutiny.web.errors.form_view`; domain errors
become form errors there, or the 403, 404 and 409 pages in `DomainErrorMiddleware`.
"""

from scrutiny.web.staff.views.annual import (  # noqa: F401
    annual_report_detail,
    annual_report_download,
    annual_report_list,
    annual_report_publish,
    annual_report_section,
    annual_report_start,
)
from scrutiny.web.staff.views.common import (  # noqa: F401
    PAGE_SIZE,
    staff_required,
)
from scrutiny.web.staff.views.consultations import (  # noqa: F401
    call_in_answer,
    call_in_new,
    call_in_outcome,
    consultation_comments,
    consultation_decision,
    consultation_detail,
    consultation_list,
    consultation_new,
    consultation_view,
    register_board_feed,
    register_body,
    register_list,
    register_plan,
)
from scrutiny.web.staff.views.dashboard import (  # noqa: F401
    dashboard,
)
from scrutiny.web.staff.views.decisions import (  # noqa: F401
    decision_detail,
    decision_list,
    decision_publish,
    decision_record,
    decision_set_aside,
)
from scrutiny.web.staff.views.drafts import (  # noqa: F401
    item_delete,
    item_edit,
    item_withdraw,
    recommendation_agree_at_meeting,
    recommendation_chairs_action,
)
from scrutiny.web.staff.views.items import (  # noqa: F401
    attachment_download,
    evidence_download,
    evidence_publish,
    recommendation_draft,
    recommendation_note,
    recommendation_progress,
    recommendation_response,
    request_draft,
    request_note,
    request_response,
)
from scrutiny.web.staff.views.programme import (  # noqa: F401
    members,
    programme,
    programme_capacity,
    programme_schedule,
    programme_unschedule,
)
from scrutiny.web.staff.views.referrals import (  # noqa: F401
    referral_acknowledge,
    referral_list,
    referral_update,
)
from scrutiny.web.staff.views.replies import (  # noqa: F401
    reply_list,
    reply_review,
)
from scrutiny.web.staff.views.topics import (  # noqa: F401
    TRANSITIONS,
    topic_detail,
    topic_list,
    topic_position,
    topic_position_agree,
    topic_raise,
    topic_scores,
    topic_transition,
)
from scrutiny.web.staff.views.visits import (  # noqa: F401
    ACTIONS as VISIT_ACTIONS,
)
from scrutiny.web.staff.views.visits import (  # noqa: F401
    representatives,
    site_add,
    visit_action,
    visit_detail,
    visit_list,
    visit_plan,
)

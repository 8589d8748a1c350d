"""The casework's services, one module per noun. Every state change goes through
`workflows.services.transition_apply`; these validate input, check the rules the forms and
serializers only repeat, and compose several moves in one transaction.
"""

from scrutiny.casework.services.annual_reports import (  # noqa: F401
    annual_report_publish,
    annual_report_section_save,
    annual_report_start,
    financial_year_bounds,
)
from scrutiny.casework.services.area_settings import (  # noqa: F401
    body_settings_change,
    partnership_settings_change,
)
from scrutiny.casework.services.attachment_publication import (  # noqa: F401
    attachment_publish,
    attachment_withdraw,
)
from scrutiny.casework.services.common import (  # noqa: F401
    RULE_FOR_CLOCK,
    rule_for,
)
from scrutiny.casework.services.consultations import (  # noqa: F401
    call_in_answer,
    call_in_record_outcome,
    call_in_request_record,
    call_in_withdraw,
    consultation_add_document,
    consultation_assess,
    consultation_change_dates,
    consultation_record,
    consultation_record_decision,
    consultation_send_comments,
    consultation_withdraw,
)
from scrutiny.casework.services.decisions import (  # noqa: F401
    decision_edit,
    decision_publish,
    decision_record,
    decision_record_for,
    decision_set_aside,
)
from scrutiny.casework.services.invitations import (  # noqa: F401
    invitation_accept,
    invitation_lookup,
    invitation_revoke,
    invitation_send,
    responder_remove,
)
from scrutiny.casework.services.items import (  # noqa: F401
    DRAFTABLE_FOR_REQUESTS,
    information_request_delete,
    information_request_draft,
    information_request_edit,
    information_request_issue,
    information_request_withdraw,
    item_note_to_body,
    recommendation_agree_at_meeting,
    recommendation_agree_by_chair,
    recommendation_delete,
    recommendation_draft,
    recommendation_edit,
    recommendation_issue,
    recommendation_withdraw,
)
from scrutiny.casework.services.organisations import (  # noqa: F401
    membership_add,
    membership_remove,
    membership_save,
    partnership_saved,
    partnership_set_committees,
)
from scrutiny.casework.services.people import (  # noqa: F401
    ADMINISTERED_ROLES,
    membership_change_role,
    person_invite,
)
from scrutiny.casework.services.people import (  # noqa: F401
    membership_remove as membership_remove_by_admin,
)
from scrutiny.casework.services.referrals import (  # noqa: F401
    referral_accepts_updates,
    referral_acknowledge,
    referral_add_update,
    referral_check_referrer,
    referral_committee,
    referral_make,
)
from scrutiny.casework.services.responses import (  # noqa: F401
    REQUEST_OUTCOMES,
    implementation_evidence_publish,
    implementation_monitored,
    provider_response_record,
    recommendation_update_implementation,
    response_current,
    response_recordable,
)
from scrutiny.casework.services.topics import (  # noqa: F401
    topic_conclude,
    topic_decline,
    topic_issue_requests,
    topic_make_recommendations,
    topic_open_items,
    topic_position_agree,
    topic_prioritise,
    topic_raise,
    topic_record_position,
    topic_reopen,
    topic_request_information,
    topic_request_more,
    topic_scores_correct,
    topic_withdraw,
)
from scrutiny.casework.services.visits import (  # noqa: F401
    representative_authorise,
    representative_revoke,
    safeguarding_concern_record,
    safeguarding_concerns_visible_to,
    site_add,
    visit_announce,
    visit_cancel,
    visit_carry_out,
    visit_draft_report,
    visit_go_unannounced,
    visit_plan,
    visit_postpone,
    visit_publish,
    visit_recommendation_draft,
    visit_record_accuracy_comments,
    visit_record_response,
    visit_reschedule,
    visit_save_report,
    visit_send_for_accuracy_check,
    visit_set_team,
)

"""The policy's former home, kept as names only: code and tests written against it import from
here. Nothing is decided here; new code imports `scrutiny.casework.policy` (the questions) and
`scrutiny.casework.roles` (the vocabulary). Models must not import this module (it imports the
policy, which imports the models): they take `Perm` from roles and `transition_permission` from
`scrutiny.casework.models.access`.
"""

from scrutiny.casework.models import TopicAccess  # noqa: F401
from scrutiny.casework.policy import (  # noqa: F401
    can,
    case_files_visible_to,
    forget_topic_perms,
    prefetch_topic_perms,
    recommendations_visible_to,
    referrals_visible_to,
    requests_visible_to,
    topic_perms,
    topics_visible_to,
    visible,
)
from scrutiny.casework.roles import (  # noqa: F401
    CHAIR,
    MEMBER,
    OFFICER,
    RESPONDER,
    ROLE_TOPIC_PERMS,
    STAFF_ROLES,
    TOPIC_CODENAMES,
    Perm,
)

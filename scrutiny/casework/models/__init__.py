"""The casework's models, one module per noun: organisations and people, topics, referrals,
information requests and recommendations (one addressed-item base), providers' responses,
residents' suggestions, and the guardian tables that index who holds which topic permission.

Models import only `scrutiny.casework.roles` of the permission code: they ask the policy through
Django's authentication backends (`models/access.py`).

Transition methods are pure: they check their conditions (declared on the decorator), set derived
fields and save nothing. `workflows.services.transition_apply` applies them.
"""

from scrutiny.casework.models.inbound import (  # noqa: F401
    InboundAttachment,
    InboundEmail,
    InboundState,
)
from scrutiny.casework.models.invitations import Invitation  # noqa: F401
from scrutiny.casework.models.items import (  # noqa: F401
    REQUEST_RESPONDED_STATES,
    RS,
    AddressedItem,
    AgreementBasis,
    ImplementationStatus,
    InformationRequest,
    R,
    Recommendation,
    RecommendationOutcome,
    RecommendationState,
    RefusalGround,
    RequestState,
)
from scrutiny.casework.models.object_permissions import (  # noqa: F401
    TopicGroupObjectPermission,
    TopicUserObjectPermission,
)
from scrutiny.casework.models.organisations import (  # noqa: F401
    DEFAULT_KIND_LABELS,
    Membership,
    Organisation,
    Partnership,
    PrioritisationFramework,
)
from scrutiny.casework.models.referrals import (  # noqa: F401
    Referral,
    ReferralState,
    ReferralUpdate,
)
from scrutiny.casework.models.responses import (  # noqa: F401
    ActionPlanItem,
    Channel,
    ImplementationUpdate,
    ProviderResponse,
    ResponseAttachment,
    ResponseKind,
)
from scrutiny.casework.models.search import SearchEntry, SearchKind  # noqa: F401
from scrutiny.casework.models.suggestions import (  # noqa: F401
    SuggesterContact,
    SuggestionStatus,
    TopicSuggestion,
)
from scrutiny.casework.models.topics import (  # noqa: F401
    ONGOING_STATES,
    OUTCOME_STATES,
    PUBLISHABLE_STATES,
    TOPIC_FINAL_STATES,
    TOPIC_OPEN_STATES,
    PublicationState,
    S,
    Topic,
    TopicPosition,
    TopicState,
)

"""The casework's models, one module per noun: organisations and people, topics, referrals,
information requests and recommendations (one addressed-item base), providers' responses,
residents' suggestions, and the index of which bodies have a part in which topic.

Models import only `scrutiny.casework.roles` of the permission code: they ask the policy through
Django's authentication backends (`models/access.py`).

Transition methods are pure: they check their conditions (declared on the decorator), set derived
fields and save nothing. `workflows.services.transition_apply` applies them.
"""

from scrutiny.casework.models.annual_reports import (  # noqa: F401
    DEFAULT_SECTIONS,
    AnnualReport,
    AnnualReportSection,
    AnnualReportState,
)
from scrutiny.casework.models.consultations import (  # noqa: F401
    CALL_IN_COMMENCEMENT,
    CALL_IN_DECISION_RULE,
    COMMENTS_AGENDA_RULE,
    CONSULTATION_FINAL_STATES,
    CONSULTATION_OPEN_STATES,
    GROUNDS_NEEDING_A_DECISION,
    ROUTE_GROUNDS,
    CallInGround,
    CallInOutcome,
    CallInRequest,
    CallInRoute,
    CallInState,
    Consultation,
    ConsultationChannel,
    ConsultationDocument,
    ConsultationState,
)
from scrutiny.casework.models.decisions import (  # noqa: F401
    DECISION_PUBLICATION_RULE,
    RECORDED_BY_SERVICES,
    DecisionKind,
    DecisionState,
    RelevantDecision,
)
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
from scrutiny.casework.models.register import BoardMeeting, HealthBodyPlan  # noqa: F401
from scrutiny.casework.models.responses import (  # noqa: F401
    ActionPlanItem,
    Channel,
    ImplementationEvidence,
    ImplementationUpdate,
    ProviderResponse,
    ResponseAttachment,
    ResponseKind,
)
from scrutiny.casework.models.search import SearchEntry, SearchKind  # noqa: F401
from scrutiny.casework.models.sites import Site  # noqa: F401
from scrutiny.casework.models.subscriptions import (  # noqa: F401
    FollowDispatch,
    Follower,
    FollowFrequency,
    FollowTarget,
    Subscription,
)
from scrutiny.casework.models.suggestions import (  # noqa: F401
    SuggesterContact,
    SuggestionStatus,
    TopicSuggestion,
)
from scrutiny.casework.models.topic_access import TopicAccess  # noqa: F401
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
from scrutiny.casework.models.visits import (  # noqa: F401
    PROVIDER_SEES,
    VISIT_BEFORE,
    VISIT_PUBLIC_STATES,
    AuthorisedRepresentative,
    SafeguardingConcern,
    Visit,
    VisitState,
)

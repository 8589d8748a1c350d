"""The API's serializers, one module per resource family. State fields are read-only in every
serializer; input serializers refuse unknown fields.
"""

from api.serializers.casework import (  # noqa: F401
    ActionPlanItemInput,
    ActionPlanItemSerializer,
    ActionPlanJSONField,
    AttachmentSerializer,
    AttachmentsMixin,
    ImplementationUpdateInput,
    ImplementationUpdateSerializer,
    InformationRequestSerializer,
    RecommendationResponseInput,
    RecommendationResponseMultipartInput,
    RecommendationSerializer,
    RequestResponseInput,
    RequestResponseMultipartInput,
    ResponseSerializer,
    _ResponseInputBase,
)
from api.serializers.common import (  # noqa: F401
    MAX_ACTIONS,
    MAX_ATTACHMENTS,
    MAX_ID,
    MAX_TEXT,
    LocalTimeField,
    OrganisationRefSerializer,
    StrictSerializer,
    TopicRefSerializer,
    blank_choice,
)
from api.serializers.public import (  # noqa: F401
    PublicAgendaItemSerializer,
    PublicMeetingSerializer,
    PublicPaperSerializer,
    PublicRecommendationSerializer,
    PublicRequestSerializer,
    PublicResponseSerializer,
    PublicTopicRecommendationSerializer,
    PublicTopicSerializer,
)
from api.serializers.webhooks import (  # noqa: F401
    WebhookAttemptSerializer,
    WebhookCreatedSerializer,
    WebhookDeliverySerializer,
    WebhookInput,
    WebhookSerializer,
)

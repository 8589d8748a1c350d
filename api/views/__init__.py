"""The API's viewsets, one module per resource family. Viewsets are thin: they read through
`api.selectors` (and so the policy), validate with a serializer and call a service; domain errors
become problem+json in `api.errors`.
"""

from api.views.common import (  # noqa: F401
    IDEMPOTENCY_PARAMETER,
    ApiPagination,
    ApiViewMixin,
    not_found,
)
from api.views.consultations import ConsultationViewSet  # noqa: F401
from api.views.items import (  # noqa: F401
    RECOMMENDATION_RESPONSE_EXAMPLES,
    REQUEST_RESPONSE_EXAMPLES,
    RESPONSE_CREATED_EXAMPLE,
    InformationRequestViewSet,
    RecommendationViewSet,
    ResponseViewSet,
)
from api.views.public import (  # noqa: F401
    PublicMeetingViewSet,
    PublicRecommendationViewSet,
    PublicTopicViewSet,
    PublicViewMixin,
)
from api.views.visits import (  # noqa: F401
    VisitViewSet,
)
from api.views.webhooks import (  # noqa: F401
    WebhookViewSet,
)

"""Joint working's models: protocols and their versions, meetings with agendas and papers, and
personal calendar tokens.
"""

from protocols.models.agreements import (  # noqa: F401
    PUBLIC_VERSION_STATES,
    SECTION_KEYS,
    SECTIONS,
    Protocol,
    ProtocolSignOff,
    ProtocolVersion,
    V,
    VersionState,
)
from protocols.models.calendars import (  # noqa: F401
    CalendarToken,
)
from protocols.models.governance import (  # noqa: F401
    MS,
    Attendance,
    AttendanceStatus,
    CommitteeRules,
    CommitteeSeat,
    Declaration,
    InterestKind,
    Minutes,
    MinutesState,
    SeatKind,
    SeatQuerySet,
)
from protocols.models.meetings import (  # noqa: F401
    AgendaItem,
    AgendaItemQuerySet,
    AgendaState,
    ExemptParagraph,
    M,
    Meeting,
    MeetingQuerySet,
    MeetingState,
    Paper,
    Resolution,
)
from protocols.models.packs import (  # noqa: F401
    Pack,
    PackKind,
)
from protocols.models.programmes import (  # noqa: F401
    ProgrammeEntry,
    WorkProgramme,
)

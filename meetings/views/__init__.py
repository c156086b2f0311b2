"""Pages of the meetings package, by subject."""

from meetings.views import (  # noqa: F401  (routes register on import)
    access,
    admin,
    agenda,
    attendance,
    bodies,
    calendar,
    decisions,
    exports,
    home,
    news,
    notes,
    papers,
    standing,
)

"""Consultation bodies and their cycles, meetings, agendas, documents, decisions and minutes."""

from meetings.models.access import AccessReview
from meetings.models.agenda import AgendaItem, AgendaItemKind, Document, Placement, StandingItem, TextStatus
from meetings.models.body import Body, Seat, Theme
from meetings.models.cycle import (
    DEFAULT_MILESTONE_OFFSETS,
    Attendance,
    AttendanceNotice,
    AttendanceStatus,
    Cycle,
    Meeting,
    Milestone,
    MilestoneKind,
    ReviewStatus,
    Season,
)
from meetings.models.decision import CommentStatus, Decision, DecisionComment, Minutes
from meetings.models.note import Note
from meetings.models.reading import BodyReadMark, MeetingReadMark
from meetings.models.stored_file import StoredFile

__all__ = [
    "DEFAULT_MILESTONE_OFFSETS",
    "AccessReview",
    "AgendaItem",
    "AgendaItemKind",
    "Attendance",
    "AttendanceNotice",
    "AttendanceStatus",
    "Body",
    "BodyReadMark",
    "CommentStatus",
    "Cycle",
    "Decision",
    "DecisionComment",
    "Document",
    "Meeting",
    "MeetingReadMark",
    "Milestone",
    "MilestoneKind",
    "Minutes",
    "Note",
    "Placement",
    "ReviewStatus",
    "Season",
    "Seat",
    "StandingItem",
    "StoredFile",
    "TextStatus",
    "Theme",
]

"""Consultation bodies and their cycles, meetings, agendas, documents, decisions and minutes."""

from meetings.models.agenda import AgendaItem, AgendaItemKind, Document, TextStatus
from meetings.models.body import Body, Seat, Theme
from meetings.models.cycle import (
    DEFAULT_MILESTONE_OFFSETS,
    Attendance,
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

__all__ = [
    "DEFAULT_MILESTONE_OFFSETS",
    "AgendaItem",
    "AgendaItemKind",
    "Attendance",
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
    "ReviewStatus",
    "Season",
    "Seat",
    "TextStatus",
    "Theme",
]

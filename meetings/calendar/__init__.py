"""Calendars: iCalendar events for meetings and milestones (``ics``) and what a user's personal feed
holds (``feed``). The pages that serve them are ``meetings.views.calendar``."""

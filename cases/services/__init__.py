"""What cases do, each write a ``@service``: the case lifecycle and follow-ups (``cases``), the nota's
route (``nota``, ``route``, ``people``), dossiers, uitstel (``postpone``), attachments, reminders
(``planning``), and what cases add elsewhere: the calendar feed, what's new (``news``), the dashboard's
numbers and the Excel round trip."""

"""What the scheduler does for meetings: the cycle's messages (``notifications``), the quarterly access
review reminders (``access_reviews``) and reading new documents' text for search (``documents``).
Each module's ``register(app)`` gives the scheduler its planners and jobs (``meetings.init_app``)."""

"""All writes and domain rules of meetings, by subject: ``bodies``, ``cycles``, ``agenda``,
``decisions`` and ``overview``. Views call these and nothing else to change data."""

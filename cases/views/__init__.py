"""The case pages (``cases``), the dashboard and the Excel export and import; ``cases.init_app``
imports them so their routes register."""

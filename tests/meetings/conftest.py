"""What the meetings' tests share: the demo's meeting of 14 March 2023, adopted and complete."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from core.extensions import db
from meetings.models import Meeting
from tests.conftest import in_app


@pytest.fixture
def march_2023(app) -> int:
    """The id of the demo's BO-Brainport of 14 March 2023."""
    with in_app(app):
        return db.session.scalars(select(Meeting.id).where(Meeting.title == "BO-Brainport 14 maart 2023")).one()

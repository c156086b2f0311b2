"""The search form: words, and filters by body, cycle, theme and kind (a GET form)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SearchField
from wtforms.validators import Optional, ValidationError

from core.forms import BaseForm, EnumSelectField, IdSelectField, MaxLength, strip
from core.labels import choices
from search.models import EntryKind
from search.services import QUERY_MAX, WORDS_MAX, FilterChoices, SearchFilters
from search.text import words


class SearchForm(BaseForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    q = SearchField(_l("Zoeken naar"), validators=[MaxLength(QUERY_MAX)], filters=[strip])
    overleg = IdSelectField(_l("Overleg"), validators=[Optional()])
    cyclus = IdSelectField(_l("Cyclus"), validators=[Optional()])
    thema = IdSelectField(_l("Thema"), validators=[Optional()])
    soort = EnumSelectField(_l("Soort"), validators=[Optional()])

    def offer(self, offered: FilterChoices) -> None:
        """Fill the filters with what this user may choose from."""
        self.overleg.choices = [("", _("Alle overleggen")), *offered.bodies]
        self.cyclus.choices = [("", _("Alle cycli")), *offered.cycles]
        self.thema.choices = [("", _("Alle thema's")), *offered.themes]
        self.soort.choices = [("", _("Alle soorten")), *choices(EntryKind)]

    def validate_q(self, field: Any) -> None:
        if len(words(field.data or "")) > WORDS_MAX:
            raise ValidationError(_l("Zoek op hoogstens %(n)s woorden tegelijk.", n=WORDS_MAX))

    def filters(self, page: int) -> SearchFilters:
        return SearchFilters(
            text=self.q.data or "",
            body_id=self.overleg.data,
            cycle_id=self.cyclus.data,
            theme_id=self.thema.data,
            kind=EntryKind(self.soort.data) if self.soort.data else None,
            page=page,
        )

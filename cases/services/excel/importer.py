"""Import, step 3: storing a previewed action list, all rows or only the good ones, in one transaction."""

from __future__ import annotations

from flask_babel import gettext as _

from auth.models import User
from auth.policy import Action, ensure
from cases.models import Case
from cases.services.cases import create_follow_up
from cases.services.excel.checks import check_rows
from cases.services.excel.preview import PreviewChanged, SealedImport, check_audience, preview_again
from core.acting import service
from core.errors import DomainError
from meetings.models import Body


@service
def import_follow_ups(actor: User, body: Body, sealed: SealedImport, *, only_valid: bool) -> list[Case]:
    """Create the actions and commitments of a previewed action list, all or none.

    Every row is checked again: what was good at the preview must still be. With ``only_valid``
    the good rows are stored and the others left; without it, every row must be good.
    """
    ensure(actor, Action.MANAGE, body)
    if sealed.body_id != body.id or sealed.user_id != actor.id:
        raise DomainError(_("Deze voorvertoning hoort bij een ander overleg of een andere gebruiker."))
    check_audience(actor, sealed.audience)
    checked = check_rows(sealed.rows, body.id)
    good = [row for row in checked if row.ok]
    if [row.sheet.row for row in good] != sealed.valid:
        raise PreviewChanged(
            _("Sinds de voorvertoning is er iets veranderd. Bekijk de rijen opnieuw; er is niets opgeslagen."),
            preview_again(actor, body, sealed),
        )
    if not good:
        raise DomainError(_("Geen enkele rij is goed; er is niets opgeslagen."))
    if len(good) < len(checked) and not only_valid:
        raise DomainError(
            _(
                "Niet alle rijen zijn goed. Importeer alleen de goede rijen, "
                "of verbeter het bestand en upload het opnieuw."
            )
        )
    cases = []
    for row in good:
        assert row.owner is not None
        cases.append(
            create_follow_up(
                actor,
                body,
                case_type=row.case_type,
                title=row.sheet.title,
                owner_organisation_id=row.owner.id,
                due_date=row.due_date,
                description=row.sheet.description,
                assignee_id=row.assignee_id,
                source=row.sheet.source or None,
                audience=sealed.audience,
            )
        )
    return cases

"""axe-core on every main page, for the roles that see it differently: no serious or critical
violation of WCAG 2.1 A/AA. All results go into one JSON report (see ``axe.report_path``), and a
summary table is printed at the end of the session.

With REGIOTAFEL_SCREENSHOTS=<dir> the pages named in the last column are saved there for README.md.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser import axe
from tests.browser.helpers import shoot, sign_in

SECRETARIAAT = "secretariaat@ezk.test"
RIJK = "beleid@ezk.test"
REGIO = "economie@noord-brabant.test"
AUDITOR = "auditor@ezk.test"
REGIO_AUDITOR = "auditor@noord-brabant.test"
BEHEER = "beheer@regiotafel.test"

#: Per role: (page, url, screenshot name or None). Urls are filled in from the demo's ids.
PAGES: dict[str, list[tuple[str, str, str | None]]] = {
    "anoniem": [("inloggen", "/auth/login", "inloggen"), ("wachtwoord vergeten", "/auth/wachtwoord-vergeten", None)],
    SECRETARIAAT: [
        ("start", "/", "start-secretariaat"),
        ("overleggen", "/overleggen", None),
        ("overleg", "/overleggen/{bo}", "overleg"),
        ("cyclus", "/cycli/{upcoming_cycle}", "cyclus"),
        ("vergadering (concept)", "/vergaderingen/{upcoming}", None),
        ("vergadering", "/vergaderingen/{march}", None),
        ("agendapunt", "/agendapunten/{march_item}", None),
        ("besluitenlijst (vastgesteld)", "/vergaderingen/{march}/besluitenlijst", None),
        ("besluitenlijst (ter commentaar)", "/vergaderingen/{rom_meeting}/besluitenlijst", None),
        ("besluit", "/besluiten/{march_decision}", None),
        ("besluiten", "/besluiten", None),
        ("mijn acties", "/acties", None),
        ("actiepunt", "/zaken/{action}", None),
        ("dossier", "/zaken/{dossier}", None),
        ("acties per organisatie", "/overleggen/{bo}/acties", "acties-per-organisatie"),
        ("dashboard", "/overleggen/{bo}/dashboard", "dashboard"),
        ("zoeken", "/zoeken?q=netcongestie", None),
        ("nieuwe cyclus", "/overleggen/{rom}/cycli/nieuw", None),
        ("jaarplanning", "/overleggen/{bo}/cycli/jaarplanning", None),
        ("agenda overnemen", "/vergaderingen/{upcoming}/agenda-overnemen", None),
        ("aanwezigheid (vooraf)", "/vergaderingen/{upcoming}/aanwezigheid", None),
        ("agendapunt toevoegen", "/vergaderingen/{upcoming}/agendapunten/nieuw", None),
        ("geschiedenis", "/geschiedenis/meetings/{march}", None),
        ("mijn account", "/auth/account", None),
        ("toegang en rollen", "/overleggen/{bo}/toegang", None),
    ],
    RIJK: [
        ("start", "/", None),
        ("nota", "/zaken/{nota}", None),
        ("mijn acties", "/acties", "mijn-acties"),
        ("agendaverzoek indienen", "/overleggen/{bo}/agendaverzoeken/nieuw", None),
        ("zoeken", "/zoeken?q=27293059", None),
    ],
    REGIO: [
        ("start", "/", None),
        ("overleggen", "/overleggen", None),
        ("overleg", "/overleggen/{bo}", None),
        ("vergadering (aan- en afmelden)", "/vergaderingen/{upcoming}", None),
        ("vergadering", "/vergaderingen/{march}", "vergadering"),
        ("agendapunt", "/agendapunten/{march_item}", "agendapunt"),
        ("besluitenlijst (vastgesteld)", "/vergaderingen/{march}/besluitenlijst", None),
        ("besluitenlijst (ter commentaar)", "/vergaderingen/{rom_meeting}/besluitenlijst", "besluitenlijst"),
        ("besluiten", "/besluiten", None),
        ("mijn acties", "/acties", None),
        ("actiepunt", "/zaken/{action}", None),
        ("dossier", "/zaken/{dossier}", None),
        ("acties per organisatie", "/overleggen/{bo}/acties", None),
        ("dashboard", "/overleggen/{bo}/dashboard", None),
        ("zoeken (leeg)", "/zoeken", None),
        ("zoeken", "/zoeken?q=talenten", None),
        ("zoeken (niets gevonden)", "/zoeken?q=27293059", None),
        ("mijn account", "/auth/account", None),
    ],
    AUDITOR: [
        ("geschiedenis", "/geschiedenis/meetings/{march}", "geschiedenis"),
        ("audittrail exporteren", "/audit/export", None),
    ],
    REGIO_AUDITOR: [
        ("audittrail exporteren", "/audit/export", None),
        ("toegang en rollen", "/overleggen/{bo}/toegang", None),
    ],
    BEHEER: [
        ("start", "/", None),
        ("beheer", "/beheer", "beheer"),
        ("postvak uit", "/beheer/postvak", None),
        ("overleggen beheren", "/beheer/overleggen", None),
        ("overleg beheren (vaste agendapunten)", "/beheer/overleggen/{bo}", None),
        ("iemand uitnodigen", "/beheer/gebruikers/nieuw", None),
        ("rollen in een overleg", "/beheer/overleggen/{bo}/leden", None),
        ("toegangsreview", "/overleggen/{bo}/toegang", None),
    ],
}


@pytest.mark.parametrize("role", list(PAGES))
def test_main_pages_have_no_serious_or_critical_violations(
    role: str, page: Page, demo: dict[str, Any], request: pytest.FixtureRequest
) -> None:
    if role != "anoniem":
        sign_in(page, role)
    results = request.config.stash[axe.RESULTS]
    failures = []
    for name, url, shot in PAGES[role]:
        address = url.format(**demo)
        response = page.goto(address)
        assert response is not None and response.status == 200, f"{role} {name} {address}: {response}"
        violations = axe.run(page)
        results.append({"role": role, "page": name, "url": address, "violations": violations})
        if axe.blocking(violations):
            failures.append(axe.describe(f"{name} ({address})", axe.blocking(violations)))
        if shot:
            shoot(page, shot)
    assert not failures, f"axe, signed in as {role}:\n" + "\n".join(failures)


def test_axe_finds_a_violation_when_there_is_one(page: Page, live_server: Any) -> None:
    """The check is not vacuous: an image without a text alternative on the login page is reported."""
    page.goto("/auth/login")
    page.evaluate(
        """() => {
            const img = document.createElement('img');
            img.src = 'data:image/gif;base64,R0lGODlhAQABAAAAACw=';
            document.querySelector('main').appendChild(img);
        }"""
    )
    violations = axe.run(page)
    assert "image-alt" in {v["id"] for v in axe.blocking(violations)}, violations

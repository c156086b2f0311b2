"""The demo's story, from the seeds: BO-Brainport and the overleg of EZK and the provinces on the ROM's.

Everything is made through the app's own services, acting as the people who would have done it,
with the clock set to the day it would have happened. So the demo obeys every rule the app
enforces, and its audit trail reads like the record of a real secretariat.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from auth import services as auth_services
from auth.models import Organisation, Role, User
from cases import engine
from cases.models import CaseType
from cases.services import cases as case_services
from cases.services import dossiers, nota
from core import db as core_db
from core.acting import SYSTEM
from core.dates import AMSTERDAM
from core.dates import today as current_day
from core.db import Audience, Side
from core.extensions import db
from demo.pdf import text_pdf
from meetings.models import (
    AgendaItem,
    AgendaItemKind,
    AttendanceStatus,
    Body,
    CommentStatus,
    Decision,
    Meeting,
)
from meetings.services import agenda, bodies, cycles, decisions, notes
from meetings.storage import Upload

BEHEER_EMAIL = "beheer@regiotafel.test"


@contextmanager
def at(moment: datetime | date) -> Iterator[None]:
    """Run the enclosed services as if it were ``moment`` (a date means 10:00 Amsterdam time)."""
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time(10, 0), tzinfo=AMSTERDAM)
    fixed = moment.astimezone(UTC)
    previous = core_db.clock
    core_db.clock = lambda: fixed
    try:
        yield
    finally:
        core_db.clock = previous


@dataclass
class Cast:
    """The demo's organisations, people, themes and bodies, by short key."""

    org: dict[str, Organisation] = field(default_factory=dict)
    user: dict[str, User] = field(default_factory=dict)
    theme: dict[str, int] = field(default_factory=dict)
    body: dict[str, Body] = field(default_factory=dict)
    #: What later chapters of the story refer back to.
    story: dict[str, Any] = field(default_factory=dict)


ORGANISATIONS = [
    # key, name, short name, side, TOOI identifier
    (
        "ezk",
        "Ministerie van Economische Zaken en Klimaat",
        "EZK",
        Side.RIJK,
        "https://identifier.overheid.nl/tooi/id/ministerie/mnre1045",
    ),
    (
        "ocw",
        "Ministerie van Onderwijs, Cultuur en Wetenschap",
        "OCW",
        Side.RIJK,
        "https://identifier.overheid.nl/tooi/id/ministerie/mnre1109",
    ),
    (
        "ienw",
        "Ministerie van Infrastructuur en Waterstaat",
        "IenW",
        Side.RIJK,
        "https://identifier.overheid.nl/tooi/id/ministerie/mnre1130",
    ),
    (
        "vro",
        "Ministerie van Volkshuisvesting en Ruimtelijke Ordening",
        "VRO",
        Side.RIJK,
        "https://identifier.overheid.nl/tooi/id/ministerie/mnre1171",
    ),
    (
        "brabant",
        "Provincie Noord-Brabant",
        "Prov. Noord-Brabant",
        Side.REGIO,
        "https://identifier.overheid.nl/tooi/id/provincie/pv30",
    ),
    (
        "eindhoven",
        "Gemeente Eindhoven",
        "Gem. Eindhoven",
        Side.REGIO,
        "https://identifier.overheid.nl/tooi/id/gemeente/gm0772",
    ),
    ("bd", "Brainport Development", "Brainport Development", Side.REGIO, None),
    (
        "gelderland",
        "Provincie Gelderland",
        "Prov. Gelderland",
        Side.REGIO,
        "https://identifier.overheid.nl/tooi/id/provincie/pv25",
    ),
    (
        "overijssel",
        "Provincie Overijssel",
        "Prov. Overijssel",
        Side.REGIO,
        "https://identifier.overheid.nl/tooi/id/provincie/pv23",
    ),
    ("ipo", "Interprovinciaal Overleg", "IPO", Side.REGIO, None),
    ("bom", "Brabantse Ontwikkelings Maatschappij", "BOM", Side.REGIO, None),
]

USERS = [
    # key, e-mail, name, function, organisation
    (
        "secretariaat",
        "secretariaat@ezk.test",
        "Secretariaat BO-Brainport",
        "secretaris, directie Topsectoren en Industriebeleid",
        "ezk",
    ),
    ("beleid_ezk", "beleid@ezk.test", "Sanne de Vries", "beleidsmedewerker regionale economie", "ezk"),
    ("beleid_ocw", "beleid@ocw.test", "Ahmed El Amrani", "beleidsadviseur talent en arbeidsmarkt", "ocw"),
    ("beleid_ienw", "beleid@ienw.test", "Marieke Jansen", "beleidsmedewerker MIRT Zuid-Nederland", "ienw"),
    (
        "brabant",
        "economie@noord-brabant.test",
        "Joost van den Heuvel",
        "ambtelijk ondersteuner gedeputeerde economie",
        "brabant",
    ),
    (
        "eindhoven",
        "economie@eindhoven.test",
        "Fatma Yilmaz",
        "ambtelijk ondersteuner wethouder economie",
        "eindhoven",
    ),
    ("bd", "directie@brainportdevelopment.test", "Pieter Smits", "directiesecretaris", "bd"),
    ("gelderland", "economie@gelderland.test", "Lotte Hendriks", "beleidsmedewerker economie", "gelderland"),
    ("auditor_ezk", "auditor@ezk.test", "Karin Bakker", "informatiebeheerder, Woo-coördinator", "ezk"),
    # The parafenroute of the memo of seed 004 (whose names the source redacts).
    (
        "directeur_top",
        "directeur.top@ezk.test",
        "Willem Koster",
        "directeur Topsectoren en Industriebeleid",
        "ezk",
    ),
    ("dg_bi", "dg.bi@ezk.test", "Anouk Verbeek", "directeur-generaal Bedrijfsleven en Innovatie", "ezk"),
    (
        "minister",
        "minister@ezk.test",
        "Minister van Economische Zaken en Klimaat",
        "bewindspersoon; beslist op nota's in het digitale parafeersysteem",
        "ezk",
    ),
    ("auditor_brabant", "auditor@noord-brabant.test", "Erik Willems", "adviseur informatiebeheer", "brabant"),
]

_TOP = "https://identifier.overheid.nl/tooi/def/thes/top/"
THEMES = [
    # name, theme of the TOOI top list
    ("Talent", _TOP + "c_c232ae4a"),  # onderwijs en wetenschap
    ("Netcapaciteit", _TOP + "c_f4f1867a"),  # energie
    ("Stikstofruimte", _TOP + "c_db2fbedb"),  # natuur- en landschapsbeheer
    ("Ruimtelijke schaalsprong", _TOP + "c_9af4b880"),  # ruimtelijke ordening
    ("Mainportstatus", _TOP + "c_d363776f"),  # economie
    ("Strategische agenda", _TOP + "c_d363776f"),
    ("MIT-regeling", _TOP + "c_d363776f"),
    ("ROM's", _TOP + "c_d363776f"),
]


def load(password: str) -> Cast:
    """Tell the whole story. The caller commits."""
    today = current_day()
    cast = Cast()
    with at(date(2022, 6, 1)):
        beheer = auth_services.bootstrap_beheerder(
            SYSTEM,
            email=BEHEER_EMAIL,
            name="Functioneel beheer",
            organisation_name="Regiotafel functioneel beheer",
        )
        db.session.flush()
        # The demo's published password, set the way only the command line can (people choose their own).
        auth_services.provision_password(SYSTEM, beheer, password=password)
        _people(cast, beheer, password)
        _bodies(cast, beheer)
    _bo_brainport_2023(cast)
    _commitments_from_debates(cast)
    _rom_2022(cast)
    _bo_brainport_next(cast, today)
    _rom_recent(cast, today)
    _internal_material(cast, today)
    return cast


def _people(cast: Cast, beheer: User, password: str) -> None:
    for key, name, short_name, side, tooi in ORGANISATIONS:
        cast.org[key] = auth_services.create_organisation(
            beheer, name=name, short_name=short_name, side=side, tooi_uri=tooi
        )
    db.session.flush()
    for key, email, name, function, org in USERS:
        cast.user[key] = auth_services.create_user(
            beheer, email=email, name=name, function=function, organisation_id=cast.org[org].id
        )
        db.session.flush()
        auth_services.provision_password(SYSTEM, cast.user[key], password=password)
    for name, tooi in THEMES:
        cast.theme[name] = bodies.create_theme(beheer, name=name, tooi_uri=tooi).id
    db.session.flush()


def _bodies(cast: Cast, beheer: User) -> None:
    bo = bodies.create_body(
        beheer,
        name="BO-Brainport",
        slug="bo-brainport",
        description=(
            "Het Bestuurlijk Overleg Brainport, ingesteld in juni 2022 door de minister van EZK. Twee keer per jaar "
            "voeren Rijk en regio hier de beleidsdialoog over de opgaven voor de Brainportregio tot en met 2030, "
            "met de strategische agenda van de regio als gezamenlijke leidraad.\n\n"
            "Aan tafel: de ministers van EZK (voorzitter), OCW, IenW en VRO en de staatssecretaris van IenW; namens "
            "de regio de gedeputeerde economie van Noord-Brabant, de burgemeester en de wethouder economie van "
            "Eindhoven en de directeur van Brainport Development."
        ),
    )
    rom = bodies.create_body(
        beheer,
        name="Bestuurlijk overleg EZK en provincies over de ROM's",
        slug="rom-overleg",
        description=(
            "Overleg van EZK en de provincies over de regionale ontwikkelingsmaatschappijen (ROM's) en de "
            "gezamenlijke instrumenten, zoals de Mkb-innovatiestimulering Regio en Topsectoren (MIT). De ROM's "
            "worden eens per vijf jaar geëvalueerd."
        ),
    )
    db.session.flush()
    cast.body = {"bo": bo, "rom": rom}
    roles = {
        "bo": {
            "secretariaat": Role.SECRETARIAAT,
            "beleid_ezk": Role.DEELNEMER,
            "beleid_ocw": Role.DEELNEMER,
            "beleid_ienw": Role.WAARNEMER,
            "brabant": Role.DEELNEMER,
            "eindhoven": Role.DEELNEMER,
            "bd": Role.DEELNEMER,
            "auditor_ezk": Role.AUDITOR,
            "auditor_brabant": Role.AUDITOR,
            "directeur_top": Role.WAARNEMER,
            "dg_bi": Role.WAARNEMER,
            "minister": Role.DEELNEMER,
        },
        "rom": {
            "secretariaat": Role.SECRETARIAAT,
            "beleid_ezk": Role.DEELNEMER,
            "brabant": Role.DEELNEMER,
            "gelderland": Role.DEELNEMER,
            "auditor_ezk": Role.AUDITOR,
            "auditor_brabant": Role.AUDITOR,
        },
    }
    for body_key, members in roles.items():
        for user_key, role in members.items():
            bodies.set_member_role(beheer, cast.body[body_key], user_id=cast.user[user_key].id, role=role)
    db.session.flush()

    secretariaat = cast.user["secretariaat"]
    seats = {
        "bo": [
            ("ezk", "Minister van Economische Zaken en Klimaat", True),
            ("ocw", "Minister van Onderwijs, Cultuur en Wetenschap", False),
            ("ienw", "Minister van Infrastructuur en Waterstaat", False),
            ("ienw", "Staatssecretaris van Infrastructuur en Waterstaat", False),
            ("vro", "Minister voor Volkshuisvesting en Ruimtelijke Ordening", False),
            ("brabant", "Gedeputeerde economie, provincie Noord-Brabant", False),
            ("eindhoven", "Burgemeester van Eindhoven", False),
            ("eindhoven", "Wethouder economie, gemeente Eindhoven", False),
            ("bd", "Directeur Brainport Development", False),
        ],
        "rom": [
            ("ezk", "Minister van Economische Zaken en Klimaat", True),
            ("brabant", "Gedeputeerde economie, provincie Noord-Brabant", False),
            ("gelderland", "Gedeputeerde economie, provincie Gelderland", False),
            ("overijssel", "Gedeputeerde economie, provincie Overijssel", False),
            ("ipo", "Voorzitter bestuurlijke adviescommissie Regionale Economie, IPO", False),
        ],
    }
    for body_key, body_seats in seats.items():
        for org_key, function, chair in body_seats:
            bodies.add_seat(
                secretariaat,
                cast.body[body_key],
                organisation_id=cast.org[org_key].id,
                function=function,
                is_chair=chair,
            )
    db.session.flush()


def _weekday(day: date, weekday: int) -> date:
    """The first ``weekday`` (0 = Monday) on or after ``day``: administrators do not meet on Sundays."""
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def _meeting_of(cycle_id: int) -> Meeting:
    from sqlalchemy import select

    return db.session.scalars(select(Meeting).where(Meeting.cycle_id == cycle_id)).one()


def _items(
    meeting: Meeting,
    secretariaat: User,
    specs: list[tuple[str, AgendaItemKind, str, str | None, str | None, Audience | None]],
    cast: Cast,
) -> list[AgendaItem]:
    made = []
    for title, kind, description, org_key, theme, audience in specs:
        made.append(
            agenda.add_agenda_item(
                secretariaat,
                meeting,
                title=title,
                kind=kind,
                description=description,
                organisation_id=cast.org[org_key].id if org_key else None,
                theme_id=cast.theme[theme] if theme else None,
                audience=audience,
            )
        )
    db.session.flush()
    return made


def _attendance(meeting: Meeting, secretariaat: User, statuses: dict[int, tuple[AttendanceStatus, str | None]]) -> None:
    rows = cycles.attendance_rows(meeting)
    entries = []
    for index, (seat, _record) in enumerate(rows):
        status, replaced_by = statuses.get(index, (AttendanceStatus.AANWEZIG, None))
        entries.append({"seat_id": seat.id, "status": status, "replaced_by": replaced_by})
    cycles.record_attendance(secretariaat, meeting, entries=entries)


def _bo_brainport_2023(cast: Cast) -> None:
    """The BO-Brainport of 14 March 2023 (seed 004), from agenda to adopted besluitenlijst."""
    sec = cast.user["secretariaat"]
    bo = cast.body["bo"]
    with at(date(2023, 1, 16)):
        cycle = cycles.create_cycle(
            sec,
            bo,
            meeting_date=date(2023, 3, 14),
            start_time=time(13, 0),
            end_time=time(15, 0),
            location="Ministerie van Economische Zaken en Klimaat, Den Haag",
            chair="Minister van Economische Zaken en Klimaat",
            # The agenda as it was held (seed 004), from before the body had standing items.
            standing_items=False,
        )
        db.session.flush()
        meeting = _meeting_of(cycle.id)
    with at(date(2023, 1, 25)):
        talent_request = case_services.submit_agenda_request(
            cast.user["bd"],
            bo,
            title="Talent: aanpak voor de arbeidsmarktvraag in de Brainportregio",
            description=(
                "Voor de hightech maakindustrie in de regio zijn in 2030 72.000 nieuwe werkplekken nodig, waarvan "
                "60% op mbo-niveau. De regio vraagt het BO-Brainport in te stemmen met de uitwerking van een gedragen "
                "aanpak voor de behoeftestelling, samen met OCW."
            ),
            requested_kind=AgendaItemKind.TER_BESLUITVORMING,
            theme_id=cast.theme["Talent"],
        )
    with at(date(2023, 2, 6)):
        items = _items(
            meeting,
            sec,
            [
                ("Opening en vaststelling van de agenda", AgendaItemKind.HAMERSTUK, "", None, None, None),
            ],
            cast,
        )
        db.session.flush()
        engine.fire(sec, talent_request, "agenderen")
        items += _items(
            meeting,
            sec,
            [
                (
                    "Ruimtelijke schaalsprong: de Brainportdeal",
                    AgendaItemKind.TER_INFORMATIE,
                    "Tijdens het BO-MIRT van 9 november 2022 is besloten de voor de ruimtelijke schaalsprong benodigde "
                    "investering toe te kennen. Het totale pakket van de Brainportdeal bedraagt bijna € 1,6 miljard; "
                    "IenW en VRO hebben dit samen met de bestuurders van de Brainportregio mogelijk gemaakt.",
                    "ienw",
                    "Ruimtelijke schaalsprong",
                    None,
                ),
                (
                    "Doorontwikkeling van de mainportstatus van Brainport-Eindhoven",
                    AgendaItemKind.TER_BESLUITVORMING,
                    "In het coalitieakkoord 2021–2025 is afgesproken de mainportstatus van Brainport-Eindhoven door te "
                    "ontwikkelen. De minister van EZK coördineert deze kabinetsopgave in het BO-Brainport. Voorgelegd: "
                    "de strategische agenda van de Brainportregio als gezamenlijke leidraad, en de wijze waarop de "
                    "Tweede Kamer wordt geïnformeerd.",
                    "ezk",
                    "Mainportstatus",
                    None,
                ),
                (
                    "Onderwerpen voor het volgende BO-Brainport",
                    AgendaItemKind.TER_BESLUITVORMING,
                    "Voorstel: in het volgende BO-Brainport kijken naar oplossingen voor voldoende capaciteit op het "
                    "elektriciteitsnet en naar stikstofruimte.",
                    "ezk",
                    None,
                    None,
                ),
            ],
            cast,
        )
    db.session.flush()
    talent_item = db.get_or_404(AgendaItem, talent_request.agenda_item_id)
    # The talent item came in second; put it after the Brainportdeal, as the meeting was run.
    with at(date(2023, 2, 7)):
        agenda.move_agenda_item(sec, talent_item, position=3)
        opening, schaalsprong, mainport, volgend = items
        # The agenda and besluitenlijst of a BO-Brainport are published (Woo): its items are openbaar.
        # The two hours from 13:00 to 15:00, divided over the items.
        for item, planned in ((opening, 5), (schaalsprong, 20), (talent_item, 40), (mainport, 40), (volgend, 15)):
            agenda.update_agenda_item(
                sec,
                item,
                title=item.title,
                kind=item.kind,
                description=item.description,
                organisation_id=item.organisation_id,
                theme_id=item.theme_id,
                audience=Audience.OPENBAAR,
                duration_minutes=planned,
            )
        agenda.add_document(
            sec,
            meeting,
            agenda_item=mainport,
            title="Strategische agenda Brainportregio",
            filename="strategische-agenda-brainportregio.pdf",
            content=text_pdf(
                "Strategische agenda Brainportregio",
                [
                    "De Brainportregio heeft een strategische agenda opgesteld die richting geeft aan de ambities tot "
                    "en met 2030. Rijk en regio hanteren deze agenda samen voor de beleidsdialoog in het BO-Brainport.",
                    "De belangrijkste uitdaging voor het internationale vestigingsklimaat is dat de Brainportregio een "
                    "ruimtelijke schaalsprong kan maken, waarmee de groei van de hightech maakindustrie wordt "
                    "geaccommodeerd met functies voor wonen en bereikbaarheid.",
                    "Prioriteit voor de komende periode: talent en goed opgeleide kenniswerkers.",
                ],
            ),
            audience=Audience.OPENBAAR,
        )
    with at(date(2023, 3, 7)):
        agenda.add_document(
            sec,
            meeting,
            agenda_item=talent_item,
            title="Notitie talentaanpak Brainportregio",
            filename="notitie-talentaanpak.pdf",
            content=text_pdf(
                "Notitie talentaanpak Brainportregio",
                [
                    "Voor de hightech maakindustrie in de regio zijn in 2030 72.000 nieuwe werkplekken nodig, waarvan "
                    "60% op mbo-niveau. Hier ligt een opgave voor de gehele waaier van het vervolgonderwijs: mbo, hbo "
                    "en wo.",
                    "De regio werkt voor haar behoeftestelling een gedragen aanpak uit; de minister van OCW bespreekt "
                    "met de regio wat en wanneer in welke fasering haalbaar is.",
                ],
            ),
        )
        agenda.add_document(
            sec,
            meeting,
            title="Annotatie voor de bewindspersonen",
            filename="annotatie-bo-brainport-14-maart-2023.pdf",
            content=text_pdf(
                "Annotatie BO-Brainport 14 maart 2023 (Rijk-intern)",
                [
                    "Doel van het overleg: afspraken over de aanpak talent en over het informeren van de Kamer over "
                    "de doorontwikkeling van de mainportstatus.",
                    "Voorgestelde inzet: de brief aan de Kamer pas versturen na afstemming met de bestuurders van de "
                    "Brainportregio.",
                ],
            ),
            audience=Audience.RIJK,
        )
        agenda.publish_agenda(sec, meeting)
    with at(date(2023, 3, 8)):
        agenda.add_document(
            cast.user["bd"],
            meeting,
            agenda_item=talent_item,
            title="Inbreng regio: positie talentaanpak",
            filename="inbreng-regio-talent.pdf",
            content=text_pdf(
                "Inbreng regio: positie talentaanpak (regio-intern)",
                [
                    "De regio is aan zet voor de behoeftestelling; dit vergt overleg tussen kennis- en "
                    "onderwijsinstellingen binnen en buiten de regio. Inzet: snelle eerste stappen, zoals een breder "
                    "begrip van techniek in andere studies.",
                ],
            ),
            audience=Audience.REGIO,
        )
    with at(datetime(2023, 3, 14, 15, 30, tzinfo=AMSTERDAM)):
        _attendance(
            meeting,
            sec,
            {
                3: (AttendanceStatus.VERVANGEN, "Directeur-generaal Mobiliteit, IenW"),
                7: (AttendanceStatus.AFWEZIG, None),
            },
        )
        decided = {
            opening.id: ["De agenda wordt ongewijzigd vastgesteld."],
            schaalsprong.id: [
                "Het BO-Brainport neemt kennis van het besluit in het BO-MIRT van 9 november 2022 om de voor de "
                "ruimtelijke schaalsprong benodigde investering toe te kennen (Brainportdeal, bijna € 1,6 miljard)."
            ],
            talent_item.id: [
                "De regio werkt voor haar behoeftestelling aan talent een gedragen aanpak uit. De minister van OCW "
                "bespreekt met de regio wat en wanneer in welke fasering haalbaar is.",
            ],
            mainport.id: [
                "Rijk en regio hanteren de strategische agenda van de Brainportregio samen voor de beleidsdialoog in "
                "het BO-Brainport.",
                "De minister van EZK informeert de Tweede Kamer over de doorontwikkeling van de mainportstatus van "
                "Brainport-Eindhoven, na afstemming van de brief met de bestuurders van de Brainportregio.",
            ],
            volgend.id: [
                "In het volgende BO-Brainport wordt gekeken naar oplossingen voor voldoende capaciteit op het "
                "elektriciteitsnet en naar stikstofruimte."
            ],
        }
        made: dict[int, list[Decision]] = {}
        for item in [opening, schaalsprong, talent_item, mainport, volgend]:
            made[item.id] = [decisions.add_decision(sec, item, text=text) for text in decided[item.id]]
        db.session.flush()
    with at(date(2023, 3, 21)):
        decisions.publish_besluitenlijst(sec, meeting, comments_deadline=date(2023, 4, 11))
    with at(date(2023, 3, 28)):
        comment = decisions.comment_on_decision(
            cast.user["eindhoven"],
            made[talent_item.id][0],
            text=(
                "Graag toevoegen dat de gemeente Eindhoven en de onderwijsinstellingen bij de uitwerking "
                "betrokken zijn."
            ),
        )
    with at(date(2023, 4, 12)):
        decisions.handle_comment(
            sec,
            comment,
            outcome=CommentStatus.OVERGENOMEN,
            response="Overgenomen.",
            new_text=(
                "De regio werkt voor haar behoeftestelling aan talent een gedragen aanpak uit, met de gemeente "
                "Eindhoven en de kennis- en onderwijsinstellingen. De minister van OCW bespreekt met de regio wat en "
                "wanneer in welke fasering haalbaar is."
            ),
        )
        decisions.adopt_besluitenlijst(sec, meeting)
        minutes = decisions.save_minutes(
            sec,
            meeting,
            text=(
                "De voorzitter opent de vergadering en heet de aanwezigen welkom.\n\n"
                "Ruimtelijke schaalsprong. De minister van IenW licht het besluit in het BO-MIRT toe. De regio "
                "spreekt waardering uit voor de investering van bijna € 1,6 miljard.\n\n"
                "Talent. De regio schetst de opgave: 72.000 nieuwe werkplekken in 2030, waarvan 60% op mbo-niveau. "
                "De minister van OCW en de regio spreken af dat de regio een gedragen aanpak uitwerkt.\n\n"
                "Mainportstatus. De minister van EZK zal de Kamer informeren na afstemming met de bestuurders van de "
                "regio.\n\n"
                "Volgend overleg: netcapaciteit en stikstofruimte."
            ),
        )
        decisions.share_minutes(sec, minutes)
    with at(date(2023, 4, 26)):
        decisions.adopt_minutes(sec, minutes)
    cast.story["bo_2023"] = {
        "meeting": meeting,
        "decisions": made,
        "talent_item": talent_item,
        "mainport": mainport,
    }


def _commitments_from_debates(cast: Cast) -> None:
    """The commitments of seed 004, kept with the letter of 8 June 2023."""
    sec = cast.user["secretariaat"]
    bo = cast.body["bo"]
    bo_2023 = cast.story["bo_2023"]
    kamerbrief_decision = bo_2023["decisions"][bo_2023["mainport"].id][1]
    with at(date(2023, 3, 15)):
        commitments = [
            case_services.create_follow_up(
                sec,
                bo,
                case_type=CaseType.TOEZEGGING,
                title=(
                    "De Kamer schriftelijk informeren over de doorontwikkeling van de mainportstatus van "
                    "Brainport-Eindhoven"
                ),
                source=source,
                decision=kamerbrief_decision,
                owner_organisation_id=cast.org["ezk"].id,
                assignee_id=cast.user["beleid_ezk"].id,
                due_date=date(2023, 6, 30),
                audience=Audience.OPENBAAR,
            )
            for source in (
                "Commissiedebat Bedrijfslevenbeleid, 19 oktober 2022",
                "Commissiedebat Vestigingsklimaat, 16 februari 2023",
            )
        ]
        afstemming = case_services.create_follow_up(
            sec,
            bo,
            case_type=CaseType.ACTIEPUNT,
            title="Kamerbrief over de mainportstatus afstemmen met de bestuurders van de Brainportregio",
            decision=kamerbrief_decision,
            owner_organisation_id=cast.org["ezk"].id,
            assignee_id=cast.user["beleid_ezk"].id,
            due_date=date(2023, 5, 31),
        )
    with at(date(2023, 5, 30)):
        engine.fire(cast.user["beleid_ezk"], afstemming, "gereed_melden")
        case_services.add_progress_note(
            cast.user["beleid_ezk"],
            afstemming,
            text="Afgestemd; de bestuurders hebben comfort uitgesproken op de gekozen strategie.",
        )
        engine.fire(sec, afstemming, "afronden")
    with at(date(2023, 6, 8)):
        for commitment in commitments:
            engine.fire(
                cast.user["beleid_ezk"],
                commitment,
                "voldaan",
                reason=(
                    "Voldaan met de Kamerbrief 'Samenwerken aan een hightech maakindustrie van wereldniveau' van "
                    "8 juni 2023 (Kamerstukken 33 009 en 32 637, nr. 121)."
                ),
            )


def _rom_2022(cast: Cast) -> None:
    """End 2022: EZK and the provinces continue the joint MIT funding in 2023 (seed 000)."""
    sec = cast.user["secretariaat"]
    rom = cast.body["rom"]
    with at(date(2022, 10, 3)):
        cycle = cycles.create_cycle(
            sec,
            rom,
            meeting_date=date(2022, 12, 8),
            start_time=time(10, 0),
            end_time=time(12, 0),
            location="Huis der Provincie, Arnhem",
            chair="Minister van Economische Zaken en Klimaat",
            standing_items=False,  # as it was held, from before the body had standing items
        )
        db.session.flush()
        meeting = _meeting_of(cycle.id)
    with at(date(2022, 11, 28)):
        mit, evaluatie = _items(
            meeting,
            sec,
            [
                (
                    "Mkb-innovatiestimulering Regio en Topsectoren (MIT) in 2023",
                    AgendaItemKind.TER_BESLUITVORMING,
                    "Voorstel: de gezamenlijke financiering van de MIT-regeling door EZK en de provincies in 2023 "
                    "voortzetten.",
                    "ezk",
                    "MIT-regeling",
                    None,
                ),
                (
                    "Evaluatie van de ROM's",
                    AgendaItemKind.TER_BESPREKING,
                    "De ROM's worden eens per vijf jaar geëvalueerd. Bespreking van de aanpak van de volgende "
                    "evaluatie.",
                    "ezk",
                    "ROM's",
                    None,
                ),
            ],
            cast,
        )
        agenda.publish_agenda(sec, meeting)
    with at(datetime(2022, 12, 8, 12, 30, tzinfo=AMSTERDAM)):
        _attendance(meeting, sec, {})
        mit_decision = decisions.add_decision(
            sec,
            mit,
            text="EZK en de provincies zetten de gezamenlijke financiering van de MIT-regeling in 2023 voort.",
        )
        decisions.add_decision(
            sec,
            evaluatie,
            text=(
                "EZK werkt met het IPO een evaluatiekader voor de ROM's uit en legt dit voor aan het volgende overleg."
            ),
        )
    with at(date(2022, 12, 12)):
        decisions.publish_besluitenlijst(sec, meeting, comments_deadline=date(2022, 12, 23))
    with at(date(2023, 1, 9)):
        decisions.adopt_besluitenlijst(sec, meeting)
    cast.story["rom_2022"] = {"mit_decision": mit_decision}


def _bo_brainport_next(cast: Cast, today: date) -> None:
    """The next BO-Brainport: grid capacity, nitrogen and talent, in preparation now."""
    sec = cast.user["secretariaat"]
    bo = cast.body["bo"]
    # About seven weeks ahead, on a Tuesday: agenda requests close in a week, documents go out later.
    meeting_day = _weekday(today + timedelta(days=47), 1)
    with at(today - timedelta(days=40)):
        cycles.create_cycle(
            sec,
            bo,
            meeting_date=meeting_day,
            start_time=time(14, 0),
            end_time=time(16, 0),
            location="Brainport Industries Campus, Eindhoven",
            chair="Minister van Economische Zaken en Klimaat",
        )
    with at(today - timedelta(days=30)):
        grid = case_services.submit_agenda_request(
            cast.user["brabant"],
            bo,
            title="Netcapaciteit: voldoende capaciteit op het elektriciteitsnet in de Brainportregio",
            description=(
                "Netcongestie remt de groei van de hightech maakindustrie en de woningbouw in de regio. De provincie "
                "vraagt het BO-Brainport afspraken te maken met de netbeheerder en het Rijk over voorrang en tempo."
            ),
            requested_kind=AgendaItemKind.TER_BESLUITVORMING,
            theme_id=cast.theme["Netcapaciteit"],
        )
        nitrogen = case_services.submit_agenda_request(
            cast.user["eindhoven"],
            bo,
            title="Stikstofruimte voor de ruimtelijke schaalsprong",
            description=(
                "Zonder stikstofruimte komen bedrijventerreinen en woningbouw voor de schaalsprong niet van de grond. "
                "Verzoek om een gezamenlijke aanpak van Rijk en regio."
            ),
            requested_kind=AgendaItemKind.TER_BESPREKING,
            theme_id=cast.theme["Stikstofruimte"],
        )
    with at(today - timedelta(days=21)):
        talent_request = case_services.submit_agenda_request(
            cast.user["beleid_ocw"],
            bo,
            title="Voortgang talentaanpak: 72.000 werkplekken in 2030, 60% op mbo-niveau",
            description=(
                "Stand van de gedragen aanpak die de regio uitwerkt, en wat OCW in welke fasering haalbaar acht."
            ),
            requested_kind=AgendaItemKind.TER_BESPREKING,
            theme_id=cast.theme["Talent"],
        )
    with at(today - timedelta(days=3)):
        case_services.submit_agenda_request(
            cast.user["bd"],
            bo,
            title="Internationale kenniswerkers: huisvesting en voorzieningen",
            description="De regio wil verkennen wat nodig is om internationale kenniswerkers te blijven aantrekken.",
            requested_kind=AgendaItemKind.TER_BESPREKING,
            theme_id=cast.theme["Talent"],
            # Sent with the request; agendeerd, it becomes a document of the agenda item.
            files=[
                Upload(
                    "verkenning-internationale-kenniswerkers.pdf",
                    text_pdf(
                        "Verkenning internationale kenniswerkers",
                        ["Wat de Brainportregio nodig heeft om internationale kenniswerkers te blijven aantrekken."],
                    ),
                    title="Verkenning internationale kenniswerkers",
                )
            ],
        )
    with at(today - timedelta(days=2)):
        # The agenda started with the body's standing items (Opening, …, Voortgang actiepunten en
        # toezeggingen, Rondvraag, Sluiting); the requests go in between.
        engine.fire(sec, grid, "in_behandeling")
        engine.fire(sec, grid, "agenderen")
        engine.fire(sec, nitrogen, "agenderen")
        engine.fire(sec, talent_request, "agenderen")

    # Open actions, due soon and overdue relative to today, so every home page has work on it.
    bo_2023 = cast.story["bo_2023"]
    talent_decision = bo_2023["decisions"][bo_2023["talent_item"].id][0]
    next_decision = bo_2023["decisions"][max(bo_2023["decisions"])][0]
    with at(today - timedelta(days=60)):
        actions = [
            case_services.create_follow_up(
                sec,
                bo,
                case_type=CaseType.ACTIEPUNT,
                decision=talent_decision,
                title="Gedragen aanpak talent uitwerken met de kennis- en onderwijsinstellingen",
                owner_organisation_id=cast.org["bd"].id,
                assignee_id=cast.user["bd"].id,
                due_date=today + timedelta(days=10),
            ),
            case_services.create_follow_up(
                sec,
                bo,
                case_type=CaseType.ACTIEPUNT,
                decision=talent_decision,
                title="Fasering van de talentaanpak bespreken met de regio",
                owner_organisation_id=cast.org["ocw"].id,
                assignee_id=cast.user["beleid_ocw"].id,
                due_date=today + timedelta(days=4),
            ),
            case_services.create_follow_up(
                sec,
                bo,
                case_type=CaseType.ACTIEPUNT,
                decision=next_decision,
                title="Knelpunten netcapaciteit in kaart brengen met de netbeheerder",
                owner_organisation_id=cast.org["brabant"].id,
                assignee_id=cast.user["brabant"].id,
                due_date=today - timedelta(days=5),
            ),
            case_services.create_follow_up(
                sec,
                bo,
                case_type=CaseType.ACTIEPUNT,
                decision=next_decision,
                title="Overzicht stikstofruimte voor bedrijventerreinen in de Brainportregio",
                owner_organisation_id=cast.org["vro"].id,
                due_date=today + timedelta(days=13),
            ),
            case_services.create_follow_up(
                sec,
                bo,
                case_type=CaseType.ACTIEPUNT,
                title="Annotatie voor de bewindspersonen opstellen",
                owner_organisation_id=cast.org["ezk"].id,
                assignee_id=cast.user["beleid_ezk"].id,
                due_date=today + timedelta(days=7),
                audience=Audience.RIJK,
            ),
        ]
        talent_commitment = case_services.create_follow_up(
            sec,
            bo,
            case_type=CaseType.TOEZEGGING,
            title="De Kamer informeren over de fasering van de talentaanpak voor de Brainportregio",
            source="Commissiedebat Onderwijs en arbeidsmarkt",
            decision=talent_decision,
            owner_organisation_id=cast.org["ocw"].id,
            assignee_id=cast.user["beleid_ocw"].id,
            due_date=today + timedelta(days=45),
            audience=Audience.OPENBAAR,
        )
    with at(today - timedelta(days=20)):
        engine.fire(cast.user["bd"], actions[0], "starten")
        case_services.add_progress_note(
            cast.user["bd"],
            actions[0],
            text="Eerste werksessie met TU/e, Fontys en Summa gehouden.",
            files=[
                Upload(
                    "verslag-werksessie-talent.pdf",
                    text_pdf("Verslag werksessie talent", ["TU/e, Fontys en Summa werken de gedragen aanpak uit."]),
                    title="Verslag werksessie talent",
                )
            ],
        )
        engine.fire(cast.user["brabant"], actions[2], "starten")
    with at(today - timedelta(days=10)):
        engine.fire(
            cast.user["beleid_ocw"],
            talent_commitment,
            "deels_voldaan",
            reason="De eerste stand staat in de verzamelbrief regionale economie; de fasering volgt na het BO.",
        )
        talent_dossier = dossiers.create_dossier(
            sec,
            bo,
            title="Talent Brainport",
            description=(
                "De gedragen aanpak voor voldoende talent: 72.000 extra werkplekken in 2030, 60% op mbo-niveau. "
                "Afgesproken in het BO-Brainport van 14 maart 2023, uitgewerkt door de regio met OCW."
            ),
        )
        dossiers.link(sec, talent_dossier, agenda_item_id=bo_2023["talent_item"].id)
        dossiers.link(sec, talent_dossier, decision_id=talent_decision.id)
        for case in (actions[0], actions[1], talent_commitment, talent_request):
            dossiers.link(sec, talent_dossier, case_id=case.id)
    with at(today - timedelta(days=1)):
        # The province asks for more time; the secretariat finds the request on Start.
        engine.fire(
            cast.user["brabant"],
            actions[2],
            "uitstel_aanvragen",
            reason="De netbeheerder levert de capaciteitskaart pas over drie weken.",
            details={"due_date": today + timedelta(days=21)},
        )


def _rom_recent(cast: Cast, today: date) -> None:
    """A recent ROM overleg whose concept besluitenlijst is out for comments now."""
    sec = cast.user["secretariaat"]
    rom = cast.body["rom"]
    meeting_day = _weekday(today - timedelta(days=14), 3)  # a Thursday, one or two weeks ago
    with at(meeting_day - timedelta(days=60)):
        cycle = cycles.create_cycle(
            sec,
            rom,
            meeting_date=meeting_day,
            start_time=time(10, 0),
            end_time=time(12, 0),
            location="Ministerie van Economische Zaken en Klimaat, Den Haag",
            chair="Minister van Economische Zaken en Klimaat",
            standing_items=False,  # a short meeting on its two subjects only
        )
        db.session.flush()
        meeting = _meeting_of(cycle.id)
    with at(meeting_day - timedelta(days=8)):
        evaluatie, mit = _items(
            meeting,
            sec,
            [
                (
                    "Evaluatiekader voor de vijfjaarlijkse evaluatie van de ROM's",
                    AgendaItemKind.TER_BESLUITVORMING,
                    "EZK en het IPO leggen het evaluatiekader voor, zoals afgesproken in december 2022.",
                    "ezk",
                    "ROM's",
                    None,
                ),
                (
                    "Cofinanciering MIT-regeling na 2023",
                    AgendaItemKind.TER_BESPREKING,
                    "Verkenning van de gezamenlijke financiering in de komende jaren.",
                    "gelderland",
                    "MIT-regeling",
                    None,
                ),
            ],
            cast,
        )
        agenda.add_document(
            sec,
            meeting,
            agenda_item=evaluatie,
            title="Concept-evaluatiekader ROM's",
            filename="concept-evaluatiekader-roms.pdf",
            content=text_pdf(
                "Concept-evaluatiekader ROM's",
                ["De ROM's worden eens per vijf jaar geëvalueerd op doelmatigheid en doeltreffendheid."],
            ),
        )
        agenda.publish_agenda(sec, meeting)
    with at(datetime.combine(meeting_day, time(12, 30), tzinfo=AMSTERDAM)):
        _attendance(meeting, sec, {3: (AttendanceStatus.AFWEZIG, None)})
        frame = decisions.add_decision(
            sec,
            evaluatie,
            text="Het overleg stemt in met het evaluatiekader; de evaluatie start in het eerste kwartaal.",
        )
        mit_decision = decisions.add_decision(
            sec,
            mit,
            text="EZK en de provincies verkennen de cofinanciering van de MIT-regeling voor de komende jaren en komen "
            "hierop terug in het volgende overleg.",
            amends_id=None,
        )
    with at(meeting_day + timedelta(days=3)):
        decisions.publish_besluitenlijst(sec, meeting, comments_deadline=today + timedelta(days=18))
        evaluation_action = case_services.create_follow_up(
            sec,
            rom,
            case_type=CaseType.ACTIEPUNT,
            decision=frame,
            title="Opdracht voor de ROM-evaluatie uitzetten",
            owner_organisation_id=cast.org["ezk"].id,
            assignee_id=cast.user["beleid_ezk"].id,
            due_date=today - timedelta(days=2),
        )
        case_services.create_follow_up(
            sec,
            rom,
            case_type=CaseType.ACTIEPUNT,
            decision=frame,
            title="Provinciale inbreng voor de ROM-evaluatie verzamelen via het IPO",
            owner_organisation_id=cast.org["gelderland"].id,
            assignee_id=cast.user["gelderland"].id,
            due_date=today + timedelta(days=9),
        )
    with at(meeting_day + timedelta(days=5)):
        looptijd = decisions.comment_on_decision(
            cast.user["brabant"],
            mit_decision,
            text="Kan de verkenning ook de looptijd na 2025 meenemen?",
        )
    with at(today - timedelta(days=2)):
        # Came in after the agenda went out: on Start under what is new, and in the next morning's
        # digest, each for whom may see it. The Rijk's own position stays with the Rijk.
        agenda.add_document(
            sec,
            meeting,
            agenda_item=mit,
            title="Notitie cofinanciering MIT-regeling na 2023",
            filename="notitie-cofinanciering-mit.pdf",
            content=text_pdf(
                "Notitie cofinanciering MIT-regeling na 2023",
                ["EZK en de provincies verkennen de gezamenlijke financiering van de MIT-regeling."],
            ),
        )
        agenda.add_document(
            sec,
            meeting,
            agenda_item=mit,
            title="Rijksinzet cofinanciering MIT-regeling",
            filename="rijksinzet-cofinanciering-mit.pdf",
            content=text_pdf("Rijksinzet cofinanciering MIT-regeling", ["Interne afstemming tussen EZK en Financien."]),
            audience=Audience.RIJK,
        )
        decisions.handle_comment(
            sec,
            looptijd,
            outcome=CommentStatus.BEANTWOORD,
            response="De verkenning gaat over de jaren na 2023, de looptijd na 2025 inbegrepen.",
        )
    with at(today - timedelta(days=1)):
        decisions.comment_on_decision(
            cast.user["brabant"],
            frame,
            text="Graag opnemen dat de provincies als mede-opdrachtgever bij de evaluatie betrokken worden.",
        )
        engine.fire(cast.user["beleid_ezk"], evaluation_action, "starten")


MEMO_TITLE = "Aanbieding Kamerbrief: 'Samenwerken aan een hightech maakindustrie van wereldniveau'"
MEMO_KENMERK = "DGBI / 27293059"
#: The memo of seed 004, as its text stands in the source.
MEMO_TEXT = (Path(__file__).parent / "data" / "nota-dgbi-27293059.txt").read_text(encoding="utf-8").strip()


def _internal_material(cast: Cast, today: date) -> None:
    """What each side keeps to itself: the minister's memo (seed 004), a province's position, and a
    vertrouwelijk signal shared with two named people."""
    bo = cast.body["bo"]
    bo_2023 = cast.story["bo_2023"]
    kamerbrief_decision = bo_2023["decisions"][bo_2023["mainport"].id][1]
    with at(date(2023, 6, 7)):
        cast.story["memo"] = case_services.create_nota(
            cast.user["beleid_ezk"],
            bo,
            title=MEMO_TITLE,
            kenmerk=MEMO_KENMERK,
            description=MEMO_TEXT,
            decision=kamerbrief_decision,
        )
        # The author lines up the route; walking it is left to the demo's users.
        memo = cast.story["memo"]
        for key, capacity, decides in (
            ("directeur_top", "directeur Topsectoren en Industriebeleid", False),
            ("dg_bi", "directeur-generaal Bedrijfsleven en Innovatie", False),
            ("minister", "Minister van Economische Zaken en Klimaat", True),
        ):
            nota.add_route_step(
                cast.user["beleid_ezk"], memo, user_id=cast.user[key].id, capacity=capacity, decides=decides
            )
    upcoming = db.session.scalars(
        select(Meeting).where(Meeting.body_id == bo.id, Meeting.agenda_published_at.is_(None))
    ).one()
    with at(today - timedelta(days=1)):
        notes.add_note(
            cast.user["brabant"],
            bo,
            title="Inzet provincie Noord-Brabant: netcapaciteit",
            text=(
                "Inzet voor het BO: voorrang voor netuitbreiding rond de Brainport Industries Campus en de "
                "campussen, en een gezamenlijke verkenning met de netbeheerder vóór de zomer.\n\n"
                "Onderhandelingsruimte: de provincie kan bijdragen aan de voorfinanciering van een "
                "transformatorstation, mits het Rijk de procedures versnelt. Niet delen buiten de regio."
            ),
            meeting=upcoming,
        )
        notes.add_note(
            cast.user["beleid_ezk"],
            bo,
            title="Signaal: mogelijke uitbreiding van een hightechbedrijf in de regio",
            text=(
                "Een hightechbedrijf verkent een forse uitbreiding in de Brainportregio. Het bedrijf heeft "
                "gevraagd dit vertrouwelijk te houden tot de aankondiging. Alleen gedeeld met de provincie, "
                "voor de ruimtelijke en netcapaciteitsvragen."
            ),
            audience=Audience.VERTROUWELIJK,
            shared_with=[cast.user["brabant"].id],
            meeting=upcoming,
        )


def demo_loaded() -> bool:
    from sqlalchemy import select

    return db.session.scalar(select(User.id).where(User.email == BEHEER_EMAIL)) is not None


def database_has_users() -> bool:
    from sqlalchemy import func, select

    return bool(db.session.scalar(select(func.count(User.id))))

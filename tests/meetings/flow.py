"""A cycle of a fresh body, driven through the web as its people would, step by step.

Tests call the steps up to the stage they are about; every step asserts that the app accepted it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from core.dates import AMSTERDAM, today
from core.extensions import db
from demo.pdf import text_pdf
from tests.conftest import in_app, user

SECRETARIAAT = "secretariaat@ezk.test"
RIJK = "beleid@ezk.test"
REGIO = "economie@eindhoven.test"
OUTSIDER = "directie@brainportdevelopment.test"  # a member of BO-Brainport, not of this body


def _id_from(location: str, pattern: str) -> int:
    match = re.search(pattern, location)
    assert match, f"{pattern} not in {location}"
    return int(match.group(1))


class Flow:
    def __init__(self, app: Any, clients: Any, clock: Any = None) -> None:
        self.app = app
        #: The ``clock`` fixture: the meeting step happens on the meeting's day, weeks after the agenda.
        self.clock = clock
        self.beheer = clients("beheer@regiotafel.test")
        self.sec = clients(SECRETARIAAT)
        self.rijk = clients(RIJK)
        self.regio = clients(REGIO)
        self.outsider = clients(OUTSIDER)
        self.slug = "bo-testregio"
        self.ids: dict[str, int] = {}

    def query(self, fn: Any) -> Any:
        with in_app(self.app):
            return fn()

    def ok(self, response: Any, status: int = 302) -> Any:
        assert response.status_code == status, response.get_data(as_text=True)[:3000]
        return response

    # --- set-up by the beheerder -------------------------------------------------------------------

    def body(self) -> Flow:
        self.ok(
            self.beheer.post_form(
                "/beheer/overleggen/nieuw",
                {"name": "BO Testregio", "slug": self.slug, "description": "Een overleg voor de test."},
            )
        )
        for email, role in [(SECRETARIAAT, "secretariaat"), (RIJK, "deelnemer"), (REGIO, "deelnemer")]:
            user_id = self.query(lambda e=email: user(e).id)
            self.ok(self.beheer.post_form(f"/beheer/overleggen/{self.slug}/leden", {"user_id": user_id, "role": role}))
        organisations = self.query(lambda: {u: user(u).organisation_id for u in (SECRETARIAAT, REGIO)})
        for function, email in [("Minister van EZK", SECRETARIAAT), ("Wethouder economie Eindhoven", REGIO)]:
            self.ok(
                self.sec.post_form(
                    f"/overleggen/{self.slug}/zetels",
                    {"function": function, "organisation_id": organisations[email], "is_chair": "y"},
                )
            )
        return self

    # --- the cycle ----------------------------------------------------------------------------------

    def cycle(self, meeting_date: date | None = None) -> Flow:
        self.meeting_date = meeting_date or self.query(today) + timedelta(days=50)
        response = self.ok(
            self.sec.post_form(
                f"/overleggen/{self.slug}/cycli/nieuw",
                {
                    "meeting_date": self.meeting_date.isoformat(),
                    "start_time": "14:00",
                    "end_time": "16:00",
                    "location": "Provinciehuis, 's-Hertogenbosch",
                    "chair": "Minister van EZK",
                    "audience": "overleg",
                },
            )
        )
        self.ids["cycle"] = _id_from(response.headers["Location"], r"/cycli/(\d+)")
        from meetings.models import Meeting

        self.ids["meeting"] = self.query(
            lambda: db.session.scalars(select(Meeting.id).where(Meeting.cycle_id == self.ids["cycle"])).one()
        )
        return self

    def requests(self) -> Flow:
        for key, client, title in [
            ("request_rijk", self.rijk, "Netcapaciteit in de testregio"),
            ("request_regio", self.regio, "Talent voor de maakindustrie"),
        ]:
            response = self.ok(
                client.post_form(
                    f"/overleggen/{self.slug}/agendaverzoeken/nieuw",
                    {
                        "title": title,
                        "description": f"Toelichting bij {title}.",
                        "requested_kind": "ter_besluitvorming",
                    },
                )
            )
            self.ids[key] = _id_from(response.headers["Location"], r"/zaken/(\d+)")
        return self

    def compose(self) -> Flow:
        meeting = self.ids["meeting"]
        self.ok(self.sec.post_form(f"/zaken/{self.ids['request_regio']}/stap/in_behandeling"))
        for key in ("request_rijk", "request_regio"):
            self.ok(self.sec.post_form(f"/zaken/{self.ids[key]}/stap/agenderen"))
        response = self.ok(
            self.sec.post_form(
                f"/vergaderingen/{meeting}/agendapunten/nieuw",
                {"title": "Opening en vaststelling van de agenda", "kind": "hamerstuk", "description": ""},
            )
        )
        self.ids["opening"] = _id_from(response.headers["Location"], r"agendapunt-(\d+)")
        # The opening came last; move it to the top.
        self.ok(self.sec.post_form(f"/agendapunten/{self.ids['opening']}/verplaatsen", {"position": "1"}))
        from cases.models import Case

        self.ids["item_grid"], self.ids["item_talent"] = self.query(
            lambda: [db.session.get(Case, self.ids[k]).agenda_item_id for k in ("request_rijk", "request_regio")]
        )
        self.ids["doc_overleg"] = self.upload(self.ids["item_grid"], "Notitie netcapaciteit", "overleg")
        self.ids["doc_rijk"] = self.upload(self.ids["item_grid"], "Annotatie voor de minister", "rijk")
        return self

    def upload(self, item_id: int, title: str, audience: str, client: Any = None) -> int:
        import io

        from meetings.models import Document

        content = text_pdf(title, [f"Inhoud van {title}."])
        self.ok(
            (client or self.sec).post_form(
                f"/vergaderingen/{self.ids['meeting']}/documenten/nieuw?agendapunt={item_id}",
                {"title": title, "audience": audience, "file": (io.BytesIO(content), f"{title}.pdf")},
                content_type="multipart/form-data",
            )
        )
        return self.query(lambda: db.session.scalars(select(Document.id).where(Document.title == title)).one())

    def publish_agenda(self) -> Flow:
        self.ok(self.sec.post_form(f"/vergaderingen/{self.ids['meeting']}/agenda/publiceren"))
        return self

    def meeting(self) -> Flow:
        """Attendance, decisions and an action item, as the secretariat records them after the meeting
        (the clock moves to the meeting's end; everyone signs in again)."""
        assert self.clock is not None, "the meeting step needs the clock fixture: Flow(app, clients, clock)"
        self.later(self.clock, datetime.combine(self.meeting_date, time(16, 30), tzinfo=AMSTERDAM))
        meeting = self.ids["meeting"]
        form = self.sec.get(f"/vergaderingen/{meeting}/aanwezigheid").get_data(as_text=True)
        seat_ids = re.findall(r'name="entries-(\d+)-seat_id" type="hidden" value="(\d+)"', form)
        data: dict[str, str] = {}
        for index, seat_id in seat_ids:
            data[f"entries-{index}-seat_id"] = seat_id
            data[f"entries-{index}-status"] = "aanwezig" if index == "0" else "vervangen"
            data[f"entries-{index}-replaced_by"] = "" if index == "0" else "Directeur economie Eindhoven"
        assert len(seat_ids) == 2
        self.ok(self.sec.post_form(f"/vergaderingen/{meeting}/aanwezigheid", data))
        for key, item in [("decision_grid", "item_grid"), ("decision_talent", "item_talent")]:
            response = self.ok(
                self.sec.post_form(
                    f"/agendapunten/{self.ids[item]}/besluiten/nieuw",
                    {"text": f"Het overleg besluit over {item}.", "audience": "", "amends_id": ""},
                )
            )
            self.ids[key] = _id_from(response.headers["Location"], r"besluit-(\d+)")
        organisation = self.query(lambda: user(REGIO).organisation_id)
        due = (self.meeting_date + timedelta(days=30)).isoformat()
        self.ok(
            self.sec.post_form(
                f"/besluiten/{self.ids['decision_talent']}/actiepunten/nieuw",
                {
                    "case_type": "actiepunt",
                    "title": "Aanpak talent uitwerken",
                    "owner_organisation_id": organisation,
                    "due_date": due,
                    "audience": "",
                },
            )
        )
        return self

    def publish_besluitenlijst(self, deadline: date | None = None) -> Flow:
        self.deadline = deadline or self.query(today) + timedelta(days=14)
        self.ok(
            self.sec.post_form(
                f"/vergaderingen/{self.ids['meeting']}/besluitenlijst/publiceren",
                {"comments_deadline": self.deadline.isoformat()},
            )
        )
        return self

    def comments(self) -> Flow:
        from meetings.models import DecisionComment

        for key, client, text in [
            ("comment_rijk", self.rijk, "Rijk: graag de netbeheerder noemen."),
            ("comment_regio", self.regio, "Regio: graag de onderwijsinstellingen noemen."),
        ]:
            decision = self.ids["decision_grid"] if key == "comment_rijk" else self.ids["decision_talent"]
            self.ok(client.post_form(f"/besluiten/{decision}", {"text": text}))
            self.ids[key] = self.query(
                lambda t=text: db.session.scalars(select(DecisionComment.id).where(DecisionComment.text == t)).one()
            )
        return self

    def handle_comments(self) -> Flow:
        self.ok(
            self.sec.post_form(
                f"/reacties/{self.ids['comment_rijk']}/verwerken",
                {
                    "outcome": "overgenomen",
                    "new_text": "Het overleg besluit over item_grid, met de netbeheerder.",
                    "response": "Overgenomen.",
                },
            )
        )
        self.ok(
            self.sec.post_form(
                f"/reacties/{self.ids['comment_regio']}/verwerken",
                {
                    "outcome": "beantwoord",
                    "new_text": "",
                    "response": "De instellingen worden in de uitwerking betrokken.",
                },
            )
        )
        return self

    def later(self, clock: Any, moment: Any) -> Flow:
        """Move the clock (days later, say); sessions have expired meanwhile, so everyone signs in again."""
        clock(moment)
        for client, email in [(self.sec, SECRETARIAAT), (self.rijk, RIJK), (self.regio, REGIO)]:
            assert client.login(email).status_code == 302
        return self

    def adopt(self) -> Any:
        return self.sec.post_form(f"/vergaderingen/{self.ids['meeting']}/besluitenlijst/vaststellen")

    def until(self, stage: str) -> Flow:
        steps = [
            "body",
            "cycle",
            "requests",
            "compose",
            "publish_agenda",
            "meeting",
            "publish_besluitenlijst",
            "comments",
            "handle_comments",
        ]
        for step in steps[: steps.index(stage) + 1]:
            getattr(self, step)()
        return self

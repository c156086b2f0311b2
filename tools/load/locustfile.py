"""The people of ``make drill-load``, for locust: secretariats composing agendas and recording decisions,
participants commenting on a besluitenlijst out for comments and reporting progress on actions, readers
browsing and downloading documents. Each signs in as a demo account, reads a form before posting it (its
CSRF token, its defaults, its version) as a browser does, and writes a marker of its own; a write the app
acknowledged (its success redirect) goes into the markers file, for the drill to find in the database.

``LOAD_PLAN`` names the JSON file ``tools.drill_load`` writes: the hosts (users are spread over them in
turn), the accounts, the forms to write through, the pages and documents to read, and where to put the
markers and the statuses. Not for use on its own.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from pathlib import Path
from typing import Any, ClassVar

from locust import HttpUser, between, events, task

from tools.drilling import Target, fill
from tools.forms import post_forms
from tools.load.markers import Tally, new_marker, record

PLAN: dict[str, Any] = json.loads(Path(os.environ["LOAD_PLAN"]).read_text())
MARKERS = Path(PLAN["markers"])
_turn = itertools.count()
_tally = Tally()


@events.request.add_listener
def _count(name: str, response_time: float, response: Any = None, exception: Any = None, **_kwargs: Any) -> None:
    _tally.add(name, getattr(response, "status_code", 0) or 0, response_time, failed=exception is not None)


@events.quitting.add_listener
def _save(**_kwargs: Any) -> None:
    _tally.save(Path(PLAN["statuses"]))


class Person(HttpUser):
    """Signed in as one of ``accounts``, on the next host in turn."""

    abstract = True
    host = PLAN["hosts"][0]
    wait_time = between(2, 6)
    role: ClassVar[str] = ""

    def on_start(self) -> None:
        self.client.base_url = PLAN["hosts"][next(_turn) % len(PLAN["hosts"])]
        self.email = random.choice(PLAN[self.role]["accounts"])
        self.sign_in()

    def sign_in(self) -> None:
        page = self.client.get("/auth/login", name="aanmelden: formulier")
        form = next(f for f in post_forms("/auth/login", page.text) if "password" in f.values)
        values = {**form.values, "email": [self.email], "password": [PLAN["password"]]}
        self.client.post("/auth/login", data=values, allow_redirects=False, name="aanmelden")

    def write(self, kind: str) -> None:
        """Read the form of a ``kind`` of write, fill it with a marker, post it; keep the marker when the
        app acknowledged it."""
        target = Target(*random.choice(PLAN[self.role][kind]))
        page = self.client.get(target.page, name=f"{kind}: formulier")
        form = next((f for f in post_forms(target.page, page.text) if f.action == target.action), None)
        if form is None:
            return  # the page's failure is counted by its status
        marker = new_marker(kind)
        with self.client.post(
            target.action,
            data=fill(form, target, marker),
            allow_redirects=False,
            name=f"{kind}: opslaan",
            catch_response=True,
        ) as answer:
            location = answer.headers.get("Location", "")
            if answer.status_code in (302, 303) and "/auth/login" not in location:
                record(MARKERS, kind, marker, self.client.base_url)
                answer.success()
            elif answer.status_code in (302, 303):
                answer.failure("sent to sign in")
                self.sign_in()
            elif answer.status_code < 500:
                answer.failure(f"refused: {answer.status_code}")


class Secretariat(Person):
    """Composes the agenda of the next meeting and records decisions at today's."""

    weight = 1
    role = "secretariat"

    @task(3)
    def add_agenda_item(self) -> None:
        self.write("agendapunt")

    @task(2)
    def record_decision(self) -> None:
        self.write("besluit")

    @task(1)
    def look_at_meeting(self) -> None:
        self.client.get(random.choice(PLAN[self.role]["pages"]), name="pagina")


class Participant(Person):
    """Comments on the besluitenlijst out for comments and reports progress on an action."""

    weight = 2
    role = "participant"

    @task(2)
    def comment(self) -> None:
        self.write("reactie")

    @task(2)
    def report_progress(self) -> None:
        self.write("voortgang")

    @task(1)
    def look_around(self) -> None:
        self.client.get(random.choice(PLAN[self.role]["pages"]), name="pagina")


class Reader(Person):
    """Browses pages and search, and downloads documents."""

    weight = 2
    role = "reader"

    @task(3)
    def browse(self) -> None:
        self.client.get(random.choice(PLAN[self.role]["pages"]), name="pagina")

    @task(1)
    def search(self) -> None:
        self.client.get(f"/zoeken?q={random.choice(['talent', 'netcapaciteit', 'stikstof', 'ROM'])}", name="zoeken")

    @task(2)
    def download(self) -> None:
        self.client.get(f"/documenten/{random.choice(PLAN[self.role]['documents'])}/download", name="download")

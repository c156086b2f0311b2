"""The participant's morning (issue 16), clicked through by the people who do it: what is new on Start and
its marks, Gelezen; the comments asked; a progress report with a file and a postponement asked, granted
and refused; several documents at once with a title per file, a refused upload that keeps the form; and an
agenda request whose file becomes a document of the agenda item. axe checks each new page."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from demo.pdf import text_pdf
from tests.browser import axe
from tests.browser.helpers import flash, main, shoot

SECRETARIAAT = "secretariaat@ezk.test"
PROVINCE = "economie@noord-brabant.test"
CITY = "economie@eindhoven.test"
ROM = "Bestuurlijk overleg EZK en provincies over de ROM's"
LATE_DOCUMENT = "Notitie cofinanciering MIT-regeling na 2023"  # the demo's, added after the ROM agenda went out
RIJK_DOCUMENT = "Rijksinzet cofinanciering MIT-regeling"  # added with it, for the Rijk only
ACTION = "Knelpunten netcapaciteit in kaart brengen met de netbeheerder"  # the province's, postponement asked


def no_blocking_violations(page: Page, name: str, request: Any) -> None:
    axe.check(page, request, name, role="morning")


def panel(page: Page, title: str) -> Any:
    return main(page).locator("section.panel", has=page.get_by_role("heading", name=title, exact=True))


def pdf_file(folder: Path, name: str, title: str) -> str:
    path = folder / name
    path.write_bytes(text_pdf(title, [f"Inhoud van {title}."]))
    return str(path)


def test_the_participant_reads_what_is_new_and_marks_it_read(people: Any, request: Any) -> None:
    page = people(PROVINCE)
    asked = panel(page, "Reactie gevraagd")
    expect(asked).to_contain_text("reactie gevraagd tot en met")
    expect(asked).to_contain_text("Uw organisatie reageerde op 2 van de 2 besluiten")
    news = panel(page, "Wat is er nieuw")
    rom = news.locator("section.news-body", has=page.get_by_role("heading", name=ROM))
    expect(rom).to_contain_text(f"1 stuk toegevoegd na publicatie: {ROM}")
    expect(rom).to_contain_text(LATE_DOCUMENT)
    expect(rom).to_contain_text("Besluitenlijst ter commentaar")
    expect(rom).to_contain_text("Reactie van Prov. Noord-Brabant op besluit 2.1 verwerkt: beantwoord")
    expect(main(page)).not_to_contain_text(RIJK_DOCUMENT)
    no_blocking_violations(page, "start (wat is er nieuw)", request)
    shoot(page, "wat-is-er-nieuw")

    # The new document, marked on its agenda item; read, the mark goes.
    rom.get_by_role("link", name=LATE_DOCUMENT).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cofinanciering MIT-regeling na 2023")
    documents = main(page).locator("ul", has=page.get_by_role("link", name=LATE_DOCUMENT))
    expect(documents.locator(".tag-new")).to_have_text("nieuw")
    expect(main(page).locator(".news-box")).to_contain_text("1 stuk nieuw")
    no_blocking_violations(page, "agendapunt (nieuw)", request)
    shoot(page, "nieuw-op-agendapunt")
    main(page).get_by_role("button", name="Markeer als gelezen").click()
    expect(flash(page)).to_contain_text("Gemarkeerd als gelezen.")
    expect(main(page).locator(".tag-new")).to_have_count(0)
    expect(main(page).locator(".news-box")).to_have_count(0)

    # On Start the ROM's meeting is read now, with its besluitenlijst and comments; BO-Brainport's news
    # (an action of the province's past its date) waits for Alles gelezen.
    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Start").click()
    news = panel(page, "Wat is er nieuw")
    rom = news.locator("section.news-body", has=page.get_by_role("heading", name=ROM))
    expect(rom).not_to_contain_text(LATE_DOCUMENT)
    expect(rom).not_to_contain_text("Reactie van Prov. Noord-Brabant op besluit 2.1")
    bo = news.locator("section.news-body", has=page.get_by_role("heading", name="BO-Brainport"))
    expect(bo).to_contain_text("Over de datum: ")
    bo.get_by_role("button", name=re.compile("^Alles gelezen")).click()
    expect(flash(page)).to_contain_text("BO-Brainport: alles gelezen.")
    bo = panel(page, "Wat is er nieuw").locator(
        "section.news-body", has=page.get_by_role("heading", name="BO-Brainport")
    )
    expect(bo).to_contain_text("Niets nieuws.")
    expect(bo).to_contain_text("Sinds u hier alles als gelezen markeerde")


def test_the_owner_reports_with_a_file_and_asks_for_time_the_secretariat_answers(
    people: Any, request: Any, tmp_path: Path
) -> None:
    sec = people(SECRETARIAAT)
    waiting = panel(sec, "Uitstel gevraagd")
    expect(waiting).to_contain_text(ACTION)
    waiting.get_by_role("link", name=re.compile(ACTION)).click()
    expect(main(sec)).to_contain_text("Uitstel gevraagd")
    no_blocking_violations(sec, "actiepunt (uitstel gevraagd)", request)
    shoot(sec, "uitstel-gevraagd")
    sec.get_by_role("button", name="Uitstel verlenen").click()
    expect(flash(sec)).to_contain_text("Gedaan: uitstel verlenen.")
    expect(main(sec)).to_contain_text("datum verplaatst")
    case_url = sec.url.split("#")[0]

    owner = people(PROVINCE)
    owner.goto(case_url)
    owner.get_by_label("Voortgang", exact=True).fill("Capaciteitskaart ontvangen van de netbeheerder.")
    owner.get_by_label("Bijlagen (optioneel)").set_input_files(
        pdf_file(tmp_path, "capaciteitskaart.pdf", "Capaciteitskaart netbeheerder")
    )
    owner.get_by_role("button", name="Vastleggen").click()
    expect(flash(owner)).to_contain_text("Voortgang vastgelegd.")
    with owner.expect_download() as download:
        main(owner).get_by_role("link", name="capaciteitskaart").click()
    path = download.value.path()
    assert path is not None and Path(path).read_bytes().startswith(b"%PDF-")

    # Asked for a date that is no later than the current one: told so next to the date, the reason kept.
    date_field = owner.get_by_label(re.compile("^Nieuwe datum"))
    date_field.fill("2020-01-01")
    owner.get_by_label(re.compile("^Reden of opmerking \\(uitstel aanvragen\\)")).fill("De kaart is nog niet compleet.")
    owner.get_by_role("button", name="Uitstel aanvragen").click()
    expect(main(owner).locator("#due_date-uitstel_aanvragen-fout")).to_contain_text(
        "Kies een datum na de huidige datum"
    )
    expect(owner.get_by_label(re.compile("^Reden of opmerking \\(uitstel aanvragen\\)"))).to_have_value(
        "De kaart is nog niet compleet."
    )
    no_blocking_violations(owner, "actiepunt (uitstel met fout)", request)
    later = owner.evaluate(
        "() => { const d = new Date(); d.setFullYear(d.getFullYear() + 1); return d.toISOString().slice(0, 10); }"
    )
    owner.get_by_label(re.compile("^Nieuwe datum")).fill(later)
    owner.get_by_role("button", name="Uitstel aanvragen").click()
    expect(flash(owner)).to_contain_text("Gedaan: uitstel aanvragen.")
    expect(main(owner)).to_contain_text("het secretariaat beslist")

    sec.goto(case_url)
    sec.get_by_label(re.compile("^Reden of opmerking \\(uitstel weigeren\\)")).fill("Het BO van januari wacht hierop.")
    sec.get_by_role("button", name="Uitstel weigeren").click()
    expect(flash(sec)).to_contain_text("Gedaan: uitstel weigeren.")
    expect(main(sec)).to_contain_text("Het BO van januari wacht hierop.")
    expect(main(sec)).not_to_contain_text("het secretariaat beslist")


def test_the_secretariat_uploads_several_documents_and_a_refusal_keeps_the_form(
    people: Any, demo: dict[str, Any], request: Any, tmp_path: Path
) -> None:
    sec = people(SECRETARIAAT)
    sec.goto(f"/vergaderingen/{demo['upcoming']}")
    main(sec).get_by_role("link", name="Stuk bij de vergadering").click()
    expect(sec.get_by_role("heading", level=1)).to_have_text("Stukken toevoegen")
    expect(sec.locator("form[data-titles-ready]")).to_have_count(1)  # the title boxes' script has run
    files = sec.get_by_label("Bestanden")
    bad = tmp_path / "rooster.pdf"
    bad.write_bytes(b"MZ\x90\x00 geen pdf")
    files.set_input_files([pdf_file(tmp_path, "annotatie-bo.pdf", "Annotatie"), str(bad)])
    # A title box per file, filled in with its name.
    expect(sec.get_by_label("Titel van annotatie-bo.pdf")).to_have_value("annotatie-bo")
    expect(sec.get_by_label("Titel van rooster.pdf")).to_have_value("rooster")
    sec.get_by_label("Titel van annotatie-bo.pdf").fill("Annotatie voor de bewindspersonen")
    no_blocking_violations(sec, "stukken toevoegen (titels)", request)
    sec.get_by_role("button", name="Uploaden").click()

    expect(main(sec).locator("#file-fout")).to_contain_text("rooster.pdf: De inhoud van dit bestand past niet")
    expect(main(sec)).to_contain_text("Kies het bestand of de bestanden opnieuw")
    expect(sec.locator("form[data-titles-ready]")).to_have_count(1)
    titles = sec.get_by_label("Titels, één per regel")
    expect(titles).to_have_value("Annotatie voor de bewindspersonen\nrooster")
    no_blocking_violations(sec, "stukken toevoegen (fout)", request)

    # Chosen again: the boxes take the titles typed before.
    files.set_input_files(
        [pdf_file(tmp_path, "annotatie-bo.pdf", "Annotatie"), pdf_file(tmp_path, "rooster.pdf", "Rooster")]
    )
    expect(sec.get_by_label("Titel van annotatie-bo.pdf")).to_have_value("Annotatie voor de bewindspersonen")
    sec.get_by_label("Titel van rooster.pdf").fill("Rooster van de dag")
    sec.get_by_role("button", name="Uploaden").click()
    expect(flash(sec)).to_contain_text("2 documenten toegevoegd: Annotatie voor de bewindspersonen, Rooster van de dag")
    stukken = main(sec).locator("h2#stukken + ul")
    expect(stukken).to_contain_text("Annotatie voor de bewindspersonen")
    expect(stukken).to_contain_text("Rooster van de dag")


def test_an_agenda_requests_file_becomes_a_document_of_its_agenda_item(
    people: Any, demo: dict[str, Any], tmp_path: Path
) -> None:
    city = people(CITY)
    city.goto(f"/overleggen/{demo['bo']}")
    main(city).get_by_role("link", name="Agendaverzoek indienen").click()
    city.get_by_label("Onderwerp").fill("Fietsverbindingen naar de campus")
    city.get_by_label(re.compile("^Toelichting")).fill("Graag afspraken over snelfietsroutes.")
    city.get_by_label("Bijlagen (optioneel)").set_input_files(
        pdf_file(tmp_path, "Verkenning snelfietsroutes.pdf", "Verkenning snelfietsroutes")
    )
    city.get_by_role("button", name="Indienen").click()
    expect(flash(city)).to_be_visible()
    expect(main(city).get_by_role("link", name="Verkenning snelfietsroutes")).to_be_visible()
    request_url = city.url

    sec = people(SECRETARIAAT)
    sec.goto(request_url)
    sec.get_by_role("button", name="Agenderen").click()
    expect(sec.locator(".steps [aria-current=step]")).to_have_text("geagendeerd")
    main(sec).get_by_role("link", name="Fietsverbindingen naar de campus").click()
    expect(main(sec).locator("h2#stukken + ul")).to_contain_text("Verkenning snelfietsroutes")
    city.reload()
    expect(main(city).get_by_role("link", name="Verkenning snelfietsroutes")).to_have_count(0)

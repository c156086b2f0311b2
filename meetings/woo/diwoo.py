"""Metadata records in the national DiWoo format (version 0.9.8), the Woo-index's standard.

Each record names the publisher and the responsible organisation by their TOOI identifiers, the Woo
information category, the document type, themes, language, file format, and what was done with the
document when (vaststelling, ontvangst). Every record is validated against the vendored schema
before it leaves the app; a record that does not validate is a bug, not a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import xmlschema

NS = "https://standaarden.overheid.nl/diwoo/metadata/"
SCHEMA_DIR = Path(__file__).parent / "standards" / "diwoo-0.9.8"
_KERN = "https://identifier.overheid.nl/tooi/def/thes/kern/"
_EU = "http://publications.europa.eu/resource/authority/"

#: Woo information category: "agenda's en besluitenlijsten bestuurscolleges".
AGENDAS_EN_BESLUITENLIJSTEN = (_KERN + "c_3a248e3a", "agenda’s en besluitenlijsten bestuurscolleges")
DOCUMENT_TYPES = {
    "agenda": (_KERN + "c_f90465b3", "agenda"),
    "besluitenlijst": (_KERN + "c_d4a4792f", "besluitenlijst"),
    "vergaderstuk": (_KERN + "c_7f9dffa7", "vergaderstuk"),
}
ACTIONS = {
    "vaststelling": (_KERN + "c_641ecd76", "vaststelling"),
    "ontvangst": (_KERN + "c_dfcee535", "ontvangst"),
}
DUTCH = (_EU + "language/NLD", "Nederlands")
FORMATS = {
    "application/pdf": (_EU + "file-type/PDF", "PDF"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (_EU + "file-type/DOCX", "Word DOCX"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (_EU + "file-type/XLSX", "Excel XLSX"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": (
        _EU + "file-type/PPTX",
        "PowerPoint PPTX",
    ),
    "application/vnd.oasis.opendocument.text": (_EU + "file-type/ODT", "ODT"),
    "application/vnd.oasis.opendocument.spreadsheet": (_EU + "file-type/ODS", "ODS"),
    "application/vnd.oasis.opendocument.presentation": (_EU + "file-type/ODP", "ODP"),
}


@dataclass(frozen=True)
class Organisation:
    """An organisation as DiWoo names it: its TOOI identifier and its name."""

    uri: str
    name: str


@dataclass
class Record:
    identifier: str
    title: str
    publisher: Organisation
    document_type: str
    created: date
    content_type: str
    actions: list[tuple[str, datetime]]
    co_responsible: list[Organisation] = field(default_factory=list)
    description: str | None = None
    themes: list[tuple[str, str]] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    part_of: tuple[str, str] | None = None


def _add(parent: ET.Element, tag: str, text: str | None = None, resource: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{NS}}}{tag}")
    if resource is not None:
        element.set("resource", resource)
    if text is not None:
        element.text = text
    return element


def to_xml(record: Record) -> bytes:
    """The record as a DiWoo ``Document``."""
    ET.register_namespace("diwoo", NS)
    document = ET.Element(f"{{{NS}}}Document")
    diwoo = _add(document, "DiWoo")
    identifiers = _add(diwoo, "identifiers")
    _add(identifiers, "identifier", record.identifier)
    _add(diwoo, "publisher", record.publisher.name, record.publisher.uri)
    _add(diwoo, "verantwoordelijke", record.publisher.name, record.publisher.uri)
    if record.co_responsible:
        others = _add(diwoo, "medeverantwoordelijken")
        for organisation in record.co_responsible:
            _add(others, "medeverantwoordelijke", organisation.name, organisation.uri)
    titles = _add(diwoo, "titelcollectie")
    _add(titles, "officieleTitel", record.title)
    if record.description:
        descriptions = _add(diwoo, "omschrijvingen")
        _add(descriptions, "omschrijving", record.description)
    classification = _add(diwoo, "classificatiecollectie")
    categories = _add(classification, "informatiecategorieen")
    _add(categories, "informatiecategorie", AGENDAS_EN_BESLUITENLIJSTEN[1], AGENDAS_EN_BESLUITENLIJSTEN[0])
    document_types = _add(classification, "documentsoorten")
    uri, label = DOCUMENT_TYPES[record.document_type]
    _add(document_types, "documentsoort", label, uri)
    if record.themes:
        themes = _add(classification, "themas")
        for uri, label in record.themes:
            _add(themes, "thema", label, uri)
    if record.keywords:
        keywords = _add(classification, "trefwoorden")
        for keyword in record.keywords:
            _add(keywords, "trefwoord", keyword)
    _add(diwoo, "creatiedatum", record.created.isoformat())
    _add(diwoo, "language", DUTCH[1], DUTCH[0])
    file_format = FORMATS.get(record.content_type)
    if file_format is not None:
        _add(diwoo, "format", file_format[1], file_format[0])
    if record.part_of is not None:
        _add(diwoo, "isPartOf", record.part_of[1], record.part_of[0])
    actions = _add(diwoo, "documenthandelingen")
    for kind, moment in record.actions:
        action = _add(actions, "documenthandeling")
        uri, label = ACTIONS[kind]
        _add(action, "soortHandeling", label, uri)
        _add(action, "atTime", moment.isoformat(timespec="seconds"))
        _add(action, "wasAssociatedWith", record.publisher.name, record.publisher.uri)
    return ET.tostring(document, encoding="utf-8", xml_declaration=True)


@cache
def schema() -> Any:
    """The DiWoo schema, loaded once (it takes about a second)."""
    return xmlschema.XMLSchema(
        str(SCHEMA_DIR / "diwoo-metadata.xsd"),
        locations={"https://www.nationaalarchief.nl/mdto": str(SCHEMA_DIR / "mdto-stub.xsd")},
        allow="local",
    )


def validate(xml: bytes) -> None:
    """Raise if ``xml`` is not a valid DiWoo record."""
    schema().validate(xml.decode("utf-8"))


def problems(xml: bytes) -> list[str]:
    return [str(error.reason or error) for error in schema().iter_errors(xml.decode("utf-8"))]

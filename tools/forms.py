"""The post forms of a page as a browser sees them, for the drills and tests that fill them in: each with
its action, the values the page put in (hidden fields, the CSRF token, a ``version``, ticked boxes,
selected options) and the choices a select, radio or checkbox offers."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    page: str
    action: str
    #: name -> the values the page put in (one per ticked box, selected option, hidden field, ...).
    values: dict[str, list[str]] = field(default_factory=dict)
    #: name -> the options of a select, or the values of radios, checkboxes and submit buttons.
    choices: dict[str, list[str]] = field(default_factory=dict)
    files: set[str] = field(default_factory=set)


class _Reader(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = Form(self.page, a.get("action") or self.page)
                self.forms.append(self._form)
            return
        form, name = self._form, a.get("name")
        if form is not None and tag == "option" and self._select:
            form.choices[self._select].append(a.get("value", ""))
            if "selected" in a:
                form.values.setdefault(self._select, []).append(a.get("value", ""))
        if form is None or not name:
            return
        if tag == "button" and a.get("type", "submit") == "submit":
            form.choices.setdefault(name, []).append(a.get("value", ""))
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind == "file":
                form.files.add(name)
            elif kind in ("checkbox", "radio"):
                form.choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.values.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button", "reset", "image"):
                form.values.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self._select = name
            form.choices.setdefault(name, [])
        elif tag == "textarea":
            self._textarea = name
            form.values.setdefault(name, [""])

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea:
            self._form.values[self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select:
            # As a browser: a select without a selected option sends its first.
            options = self._form.choices[self._select] if self._form else []
            if self._form is not None and options and self._select not in self._form.values:
                self._form.values[self._select] = options[:1]
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def post_forms(page: str, html: str) -> list[Form]:
    """The ``<form method="post">`` elements of ``html``, read at ``page`` (a form without an action posts
    to its own page)."""
    reader = _Reader(page)
    reader.feed(html)
    reader.close()
    return reader.forms

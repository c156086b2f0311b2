"""Dutch text as the search index sees it: words, stop words, stems, and highlighted snippets.

PostgreSQL analyses text itself (the ``dutch`` text search configuration); SQLite's FTS5 has no
Dutch stemmer, so on SQLite the app stores and queries the stems made here. Both use the same
Snowball algorithm and the same stop words, so a search finds the same things on either database
(``tests/search/test_same_on_both.py`` compares them), but for what PostgreSQL's parser keeps whole in
a document: a word inside an e-mail or web address, or part of a number such as 72.000.
The snippets and highlights on the results page are made here too, for both databases alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import snowballstemmer
from markupsafe import Markup, escape

#: Letters and digits; everything else separates words (as PostgreSQL's parser mostly does).
_WORD = re.compile(r"[^\W_]+")

#: PostgreSQL's ``dutch`` configuration drops these (its ``dutch.stop``, Snowball's Dutch stop list).
STOP_WORDS = frozenset(
    [
        "de",
        "en",
        "van",
        "ik",
        "te",
        "dat",
        "die",
        "in",
        "een",
        "hij",
        "het",
        "niet",
        "zijn",
        "is",
        "was",
        "op",
        "aan",
        "met",
        "als",
        "voor",
        "had",
        "er",
        "maar",
        "om",
        "hem",
        "dan",
        "zou",
        "of",
        "wat",
        "mijn",
        "men",
        "dit",
        "zo",
        "door",
        "over",
        "ze",
        "zich",
        "bij",
        "ook",
        "tot",
        "je",
        "mij",
        "uit",
        "der",
        "daar",
        "haar",
        "naar",
        "heb",
        "hoe",
        "heeft",
        "hebben",
        "deze",
        "u",
        "want",
        "nog",
        "zal",
        "me",
        "zij",
        "nu",
        "ge",
        "geen",
        "omdat",
        "iets",
        "worden",
        "toch",
        "al",
        "waren",
        "veel",
        "meer",
        "doen",
        "toen",
        "moet",
        "ben",
        "zonder",
        "kan",
        "hun",
        "dus",
        "alles",
        "onder",
        "ja",
        "eens",
        "hier",
        "wie",
        "werd",
        "altijd",
        "doch",
        "wordt",
        "wezen",
        "kunnen",
        "ons",
        "zelf",
        "tegen",
        "na",
        "reeds",
        "wil",
        "kon",
        "niets",
        "uw",
        "iemand",
        "geweest",
        "andere",
    ]
)

# PostgreSQL (up to at least 17) stems Dutch with Snowball's original Dutch algorithm, which
# snowballstemmer 3 calls "dutch_porter" ("dutch" there is a newer, different one). Taking the
# same algorithm keeps the two databases' results alike.
_ALGORITHM = "dutch_porter" if "dutch_porter" in snowballstemmer.algorithms() else "dutch"
_stemmer = snowballstemmer.stemmer(_ALGORITHM)


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The Dutch stem of one lowercased word: "talenten" and "talent" both give "talent"."""
    return str(_stemmer.stemWord(word))


def words(text: str) -> list[str]:
    """The lowercased words of a text, stop words included."""
    return _WORD.findall(text.lower())


def stems(text: str) -> list[str]:
    """The stems of a text's words, without stop words, in order (repeats kept: they weigh)."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS]


def stemmed(text: str) -> str:
    """What SQLite's full-text table holds for a text: its stems, separated by spaces."""
    return " ".join(stems(text))


def fts_query(query_stems: Iterable[str]) -> str:
    """An FTS5 query that asks for every stem. Each is quoted, so no input is ever FTS5 syntax."""
    return " ".join(f'"{s}"' for s in dict.fromkeys(query_stems))


def _matches(text: str, wanted: frozenset[str]) -> Iterator[re.Match[str]]:
    """The words of ``text`` whose stem is wanted."""
    if not wanted:
        return
    # A stem is its word minus an ending (and without accents or a doubled last consonant), so a
    # word can only match if it starts like the stem: checking that first spares stemming most words.
    prefixes = tuple({s[: max(1, min(len(s) - 1, 4))] for s in wanted})
    for match in _WORD.finditer(text):
        word = match.group().lower()
        if word in STOP_WORDS:
            continue
        if (word.startswith(prefixes) or not word.isascii()) and stem(word) in wanted:
            yield match


def highlight(text: str, wanted: frozenset[str]) -> Markup:
    """The whole text, escaped, with the words that match marked."""
    return _marked(text, 0, len(text), wanted)


def snippet(text: str, wanted: frozenset[str], width: int = 240) -> Markup:
    """About ``width`` characters of ``text`` around its first matching word, escaped, matches marked."""
    text = " ".join(text.split())
    if not text:
        return Markup("")
    first = next(_matches(text, wanted), None)
    start = 0 if first is None else max(0, first.start() - width // 3)
    if start:
        # Begin at a word, not inside one.
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first.start() else start  # type: ignore[union-attr]
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    body = _marked(text, start, end, wanted)
    return Markup("{}{}{}").format("… " if start else "", body, " …" if end < len(text) else "")


def _marked(text: str, start: int, end: int, wanted: frozenset[str]) -> Markup:
    part = text[start:end]
    pieces: list[Markup] = []
    position = 0
    for match in _matches(part, wanted):
        pieces.append(escape(part[position : match.start()]))
        pieces.append(Markup("<mark>{}</mark>").format(match.group()))
        position = match.end()
    pieces.append(escape(part[position:]))
    return Markup("").join(pieces)

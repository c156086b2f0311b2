"""Dutch words as the index sees them: stems, stop words, a safe FTS5 query, escaped snippets."""

from __future__ import annotations

from search.text import fts_query, highlight, snippet, stem, stemmed, stems


def test_plural_and_singular_share_a_stem():
    assert stem("talenten") == stem("talent")
    assert stem("werkplekken") == stem("werkplek")
    assert stem("besluiten") == stem("besluit")


def test_stop_words_are_left_out_and_words_are_split_on_punctuation():
    assert stems("De aanpak van het talent") == [stem("aanpak"), stem("talent")]
    assert stemmed("DGBI / 27293059") == "dgbi 27293059"
    assert stems('"*-() NEAR') == ["near"]


def test_every_stem_is_quoted_so_that_no_input_is_fts_syntax():
    assert fts_query(["near", "talent", "near"]) == '"near" "talent"'
    assert fts_query([]) == ""


def test_snippet_escapes_the_text_and_marks_the_matching_words():
    text = "<script>alert(1)</script> De regio werkt aan talenten en netcongestie."
    marked = str(snippet(text, frozenset({stem("talent")})))
    assert "<script>" not in marked and "&lt;script&gt;" in marked
    assert "<mark>talenten</mark>" in marked


def test_a_long_snippet_starts_near_the_first_match():
    text = "woord " * 200 + "netcongestie " + "ander " * 200
    marked = str(snippet(text, frozenset({stem("netcongestie")}), width=120))
    assert marked.startswith("… ") and marked.endswith(" …")
    assert "<mark>netcongestie</mark>" in marked
    assert len(marked) < 200


def test_highlight_marks_every_form_of_the_word():
    assert str(highlight("Talent en talenten", frozenset({stem("talent")}))) == (
        "<mark>Talent</mark> en <mark>talenten</mark>"
    )

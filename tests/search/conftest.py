"""Helpers for the search tests: what a user finds, as links (endpoint, id), across all pages."""

from __future__ import annotations

from typing import Any


def found(searcher: Any, text: str = "", **filters: Any) -> list[tuple[str, int]]:
    """Every hit of a search, in order, as (endpoint, id of what the link opens)."""
    from search.services import SearchFilters, search

    keys: list[tuple[str, int]] = []
    page = 1
    while True:
        result = search(searcher, SearchFilters(text=text, page=page, **filters))
        keys += [(hit.endpoint, next(iter(hit.args.values()))) for hit in result.hits]
        if page >= result.pages:
            assert result.total == len(keys), "the count differs from the hits listed"
            return keys
        page += 1

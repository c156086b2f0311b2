"""The site's icon: linked from every page, served at /favicon.ico as a real icon, and cached."""

from __future__ import annotations

import io
import re

from PIL import Image


def test_favicon_ico_is_a_real_icon_that_browsers_may_keep(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    icon = Image.open(io.BytesIO(response.get_data()))
    response.close()
    assert icon.format == "ICO" and icon.size[0] in (16, 32)
    cache = response.headers["Cache-Control"]
    assert "no-store" not in cache and "public" in cache
    assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= 24 * 3600


def test_every_page_links_the_icon_and_the_links_answer(client, clients):
    for web, path in [(client, "/auth/login"), (clients("economie@eindhoven.test"), "/overleggen/bo-brainport")]:
        page = web.get(path).get_data(as_text=True)
        icons = re.findall(r'<link rel="icon" href="([^"]+)"', page)
        assert "/favicon.ico" in icons and any(href.endswith(".svg") for href in icons)
        for href in icons:
            answer = web.get(href)
            assert answer.status_code == 200 and answer.mimetype.startswith("image/")
            answer.close()

"""The yardstick of ``make bench``: a bare Flask app that answers "Hello, World!", nothing more.

Served by the same gunicorn from the same venv as Regiotafel (``gunicorn bench.hello:app``), so that
"% of hello" says what Regiotafel's pages cost on top of Flask, gunicorn and this machine at that
moment, and not what the machine happened to be doing.
"""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"

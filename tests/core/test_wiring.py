"""How the app is put together: importing a module wires nothing, ``create_app`` wires everything.

Each package's ``init_app`` imports its views, registers its blueprint, listeners, signal receivers,
labels and commands; ``core.PACKAGES`` lists the packages. Importing models or services must not
load a view (that made every script, migration and test that needed a model import all the pages).
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import import_module

import pytest

from core import PACKAGES, PROJECT_ROOT, create_app

#: Measured on the tree before the wiring moved to ``init_app`` (routes and static files included).
#: SSO (issue 14) added 4: the provider pages, the sign-in's start and its answer. The API (issue 14)
#: added 25: its calls, its document and page, the tokens' two forms; its writes 5 more.
RULES = 159
BLUEPRINTS = {"core", "audit", "auth", "notify", "meetings", "cases", "search"} | {
    "api",  # reading
    "api_writes",  # writing
    "api-docs",  # flask-smorest's: openapi.json
    "api_docs",  # the documentation page
    "api_tokens",  # the tokens on Mijn account
}
#: flask-smorest brings ``openapi`` (print or write the document).
COMMANDS = {"audit", "backup", "create-beheerder", "db", "demo", "scheduler", "search", "woo", "tokens", "openapi"}


def _run(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (nothing imported yet) and read the JSON it prints."""
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


#: Imports every ``*.models`` and ``*.services`` module (subpackages and their modules too), one at a
#: time, and says after which one a view was loaded.
_IMPORT_MODELS_AND_SERVICES = """
import fnmatch, importlib, json, pkgutil, sys
from core import PACKAGES

OURS = ("core", *PACKAGES)

def views_loaded():
    return sorted(n for n in sys.modules if n.split(".")[0] in OURS and fnmatch.fnmatch(n, "*.views*"))

found, imported = {}, []
for package in OURS:
    for room in ("models", "services"):
        name = f"{package}.{room}"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        names = [name]
        if hasattr(module, "__path__"):
            names += [info.name for info in pkgutil.walk_packages(module.__path__, name + ".")]
        for each in names:
            importlib.import_module(each)
            imported.append(each)
            if views_loaded() and not found:
                found = {"after": each, "views": views_loaded()}
print(json.dumps({"found": found, "imported": imported}))
"""


def test_importing_models_and_services_loads_no_view():
    result = _run(_IMPORT_MODELS_AND_SERVICES)
    assert result["found"] == {}
    # The check saw the rooms it is about (a rename would otherwise let it pass on nothing).
    assert {"meetings.models", "meetings.models.agenda", "meetings.services.agenda", "cases.models"} <= set(
        result["imported"]
    )
    assert {"auth.services", "audit.services", "notify.services", "search.services"} <= set(result["imported"])


#: Imports every module of every package, views included, and reports what importing wired.
_IMPORT_EVERYTHING = """
import importlib, json, pkgutil
from core import PACKAGES

for package in ("core", *PACKAGES):
    module = importlib.import_module(package)
    for info in pkgutil.walk_packages(module.__path__, package + "."):
        importlib.import_module(info.name)

from sqlalchemy import event
from cases import engine
from core import labels, signals
from core.db import AppSession
from core.extensions import login_manager
from meetings import signals as meetings_signals
from auth import signals as auth_signals
from audit import recorder
from auth import services as auth_services
from search import index

receivers = {
    f"{module.__name__}.{name}": len(signal.receivers)
    for module in (signals, meetings_signals, auth_signals)
    for name, signal in vars(module).items()
    if hasattr(signal, "receivers")
}
effects, guards = engine.declared_names()
listeners = [
    name
    for name, (kind, fn) in {
        "audit": ("before_flush", recorder._before_flush),
        "audit after": ("after_flush", recorder._after_flush),
        "search": ("after_flush", index._after_flush),
        "auth": ("before_flush", auth_services._forget_named_people),
    }.items()
    if event.contains(AppSession, kind, fn)
]
print(json.dumps({
    "receivers": {name: count for name, count in receivers.items() if count},
    "signals": sorted(receivers),
    "effects": sorted(effects) + sorted(guards) + [fn.__name__ for fn in engine._AFTER_STEP],
    "labels": len(labels._LABELS),
    "listeners": listeners,
    "user_loader": login_manager._user_callback is not None,
}))
"""


def test_importing_every_module_wires_nothing():
    """Signals without receivers, no effects or guards, no labels, no session listeners, no user loader:
    all of that is ``init_app``'s."""
    result = _run(_IMPORT_EVERYTHING)
    assert "core.signals.home_panels" in result["signals"]
    assert "meetings.signals.body_page" in result["signals"]
    assert result["receivers"] == {}
    assert result["effects"] == []
    assert result["labels"] == 0
    assert result["listeners"] == []
    assert result["user_loader"] is False


def test_the_app_has_every_blueprint_route_and_command(app):
    assert set(app.blueprints) == BLUEPRINTS
    assert len(list(app.url_map.iter_rules())) == RULES
    assert set(app.cli.commands) == COMMANDS


def test_create_app_runs_each_package_init_app_once(monkeypatch, tmp_path):
    calls: list[str] = []
    for name in PACKAGES:
        package = import_module(name)
        original = package.init_app

        def counted(app, _name=name, _original=original):
            calls.append(_name)
            _original(app)

        monkeypatch.setattr(package, "init_app", counted)
    other = create_app({"DATABASE_URL": f"sqlite:///{tmp_path / 'other.db'}", "REGIOTAFEL_ENV": "test"})
    assert calls == list(PACKAGES)
    # A second app in the same process gets the same routes, and the receivers are not doubled.
    assert len(list(other.url_map.iter_rules())) == RULES
    from core.signals import home_panels

    assert len(home_panels.receivers) == 9


@pytest.mark.parametrize("package", PACKAGES)
def test_every_package_has_init_app_and_its_init_imports_no_view(package):
    source = (PROJECT_ROOT / package / "__init__.py").read_text(encoding="utf-8")
    assert callable(import_module(package).init_app)
    top_level = [line for line in source.splitlines() if line.startswith(("import ", "from "))]
    assert not [line for line in top_level if "views" in line], top_level
    assert "record_once" not in source

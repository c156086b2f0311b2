"""The dependency locks: write them from pyproject.toml, and check that they still belong to it.

    python tools/lockfile.py write [--upgrade]   what `make lock` and `make upgrade` run
    python tools/lockfile.py check               what `make test` runs: the locks match pyproject.toml
    python tools/lockfile.py installed LOCK      the virtualenv holds exactly the lock's versions

pyproject.toml keeps ranges, for whoever installs Regiotafel as a package. The two locks pin every
package with its hashes: requirements-dev.lock (runtime, dev extras and the build backend) and
requirements.lock (runtime and build backend, resolved inside the dev lock, so `make run` runs the
very versions `make test` tested). uv resolves them for every platform from Python 3.11 on.

Each lock starts with a fingerprint of what it was made from: the dependency tables of pyproject.toml.
A range changed in pyproject.toml without `make lock` changes the fingerprint, and `check` says what to
run. The fingerprint is compared, not a fresh resolution, so a release on PyPI never turns CI red.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
RUNTIME = "requirements.lock"
DEV = "requirements-dev.lock"
FINGERPRINT = "# pyproject.toml sha256:"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")
PYTHON_FLOOR = "3.11"


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    marker: str | None

    def applies(self) -> bool:
        """Whether this interpreter and platform install the pin (a universal lock holds others too)."""
        return self.marker is None or Marker(self.marker).evaluate()


def project(root: Path = ROOT) -> dict:
    with (root / "pyproject.toml").open("rb") as fh:
        return tomllib.load(fh)


def fingerprint(pyproject: dict) -> str:
    """SHA-256 of everything in pyproject.toml that decides what the locks hold."""
    relevant = {
        "requires-python": pyproject["project"].get("requires-python"),
        "dependencies": pyproject["project"].get("dependencies", []),
        "optional-dependencies": pyproject["project"].get("optional-dependencies", {}),
        "build-system": pyproject.get("build-system", {}).get("requires", []),
    }
    return hashlib.sha256(json.dumps(relevant, sort_keys=True).encode()).hexdigest()


def pins(text: str) -> dict[str, Pin]:
    """The `name==version` lines of a lock, by canonical name."""
    found: dict[str, Pin] = {}
    for line in text.splitlines():
        match = PIN.match(line)
        if match:
            name = canonicalize_name(match.group(1))
            found[name] = Pin(name, match.group(2), match.group(3))
    return found


def direct_requirements(pyproject: dict, *, dev: bool) -> list[Requirement]:
    """What pyproject.toml asks for directly: runtime, the build backend, and the extras for dev."""
    lines = list(pyproject["project"].get("dependencies", []))
    lines += pyproject.get("build-system", {}).get("requires", [])
    if dev:
        for extra in pyproject["project"].get("optional-dependencies", {}).values():
            lines += extra
    return [Requirement(line) for line in lines]


def problems(root: Path = ROOT) -> list[str]:
    """Why the locks no longer belong to pyproject.toml; empty when they do."""
    pyproject = project(root)
    wanted = fingerprint(pyproject)
    found: list[str] = []
    locked: dict[str, dict[str, Pin]] = {}
    for lock, dev in ((RUNTIME, False), (DEV, True)):
        path = root / lock
        if not path.exists():
            found.append(f"{lock} is missing")
            continue
        text = path.read_text()
        if f"{FINGERPRINT} {wanted}" not in text.splitlines():
            found.append(f"{lock} was made from another pyproject.toml (its dependencies changed since)")
        locked[lock] = pins(text)
        for requirement in direct_requirements(pyproject, dev=dev):
            if requirement.marker and not requirement.marker.evaluate({"python_version": PYTHON_FLOOR}):
                continue
            pin = locked[lock].get(canonicalize_name(requirement.name))
            if pin is None:
                found.append(f"{lock} does not pin {requirement.name}, which pyproject.toml asks for")
            elif not requirement.specifier.contains(Version(pin.version), prereleases=True):
                found.append(f"{lock} pins {pin.name}=={pin.version}, outside pyproject.toml's {requirement}")
    if len(locked) == 2:
        for name, pin in locked[RUNTIME].items():
            other = locked[DEV].get(name)
            if other is None or other.version != pin.version:
                found.append(f"{RUNTIME} pins {name}=={pin.version}, {DEV} does not: they must agree")
    return found


def not_installed(lock: Path, installed: Iterable[metadata.Distribution] | None = None) -> list[str]:
    """Which of the lock's pins this virtualenv does not hold at exactly the locked version."""
    versions: dict[str, str] = {
        str(canonicalize_name(d.metadata["Name"])): d.version
        for d in (installed if installed is not None else metadata.distributions())
    }
    return [
        f"{pin.name}: locked {pin.version}, installed {versions.get(pin.name, 'nothing')}"
        for pin in pins(lock.read_text()).values()
        if pin.applies() and versions.get(pin.name) != pin.version
    ]


def uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if not found:
        sys.exit("uv is missing: `make lock` installs it with the dev extras (or: pip install uv)")
    return found


def compile_lock(output: str, *, dev: bool, upgrade: bool, constraint: str | None = None) -> None:
    pyproject = project()
    command = [uv(), "pip", "compile", "pyproject.toml", "-", "--universal", "--python-version", PYTHON_FLOOR]
    command += ["--generate-hashes", "--quiet", "--custom-compile-command", "make lock", "-o", output]
    if dev:
        command += ["--all-extras"]
    if upgrade:
        command += ["--upgrade"]
    if constraint:
        command += ["--constraint", constraint]
    # The build backend goes into the lock too: `pip install -e . --no-build-isolation` uses it, so
    # not even the build fetches a package that has no hash here.
    backend = "\n".join(pyproject.get("build-system", {}).get("requires", []))
    subprocess.run(command, input=backend, text=True, check=True, cwd=ROOT)
    path = ROOT / output
    lines = path.read_text().splitlines()
    lines.insert(2, f"{FINGERPRINT} {fingerprint(pyproject)}")
    path.write_text("\n".join(lines) + "\n")


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "write":
        upgrade = "--upgrade" in argv
        compile_lock(DEV, dev=True, upgrade=upgrade)
        # Resolved inside the dev lock, so both pin a shared package at the same version.
        compile_lock(RUNTIME, dev=False, upgrade=upgrade, constraint=DEV)
        return 0 if not problems() else _report(problems())
    if command == "check":
        return _report(problems())
    if command == "installed" and len(argv) == 2:
        missing = not_installed(ROOT / argv[1])
        if missing:
            print(f"The virtualenv differs from {argv[1]}:", *missing, sep="\n  ", file=sys.stderr)
            print("Run `make clean` and then `make test` (or `make run`) again.", file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


def _report(found: list[str]) -> int:
    if found:
        print("The dependency locks do not match pyproject.toml:", *found, sep="\n  ", file=sys.stderr)
        print("Run `make lock` and commit pyproject.toml with both lock files.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

"""The dependency locks: CI fails when pyproject.toml and the locks part ways, and says what to run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools import lockfile

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    for name in ("pyproject.toml", lockfile.RUNTIME, lockfile.DEV):
        shutil.copy(ROOT / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1))


def test_the_committed_locks_belong_to_pyproject():
    assert lockfile.problems() == []


def test_a_changed_range_without_make_lock_fails_the_check_and_says_what_to_run(checkout: Path):
    edit(checkout / "pyproject.toml", '"pyotp>=2.9,<3"', '"pyotp>=2.8,<3"')
    assert lockfile.problems(checkout) == [
        f"{lockfile.RUNTIME} was made from another pyproject.toml (its dependencies changed since)",
        f"{lockfile.DEV} was made from another pyproject.toml (its dependencies changed since)",
    ]


def test_the_check_fails_with_what_to_run(capsys: pytest.CaptureFixture[str]):
    assert lockfile._report(["requirements.lock was made from another pyproject.toml"]) == 1
    assert "Run `make lock` and commit pyproject.toml with both lock files." in capsys.readouterr().err
    assert lockfile._report([]) == 0


def test_a_dependency_added_to_pyproject_only_is_named(checkout: Path):
    edit(checkout / "pyproject.toml", '"pyotp>=2.9,<3",', '"pyotp>=2.9,<3",\n    "humanize>=4",')
    assert f"{lockfile.RUNTIME} does not pin humanize, which pyproject.toml asks for" in lockfile.problems(checkout)


def test_a_pin_outside_its_range_is_named(checkout: Path):
    pinned = lockfile.pins((checkout / lockfile.DEV).read_text())["pyotp"].version
    edit(checkout / lockfile.DEV, f"pyotp=={pinned}", "pyotp==2.0.0")
    found = lockfile.problems(checkout)
    assert f"{lockfile.DEV} pins pyotp==2.0.0, outside pyproject.toml's pyotp<3,>=2.9" in found
    assert f"{lockfile.RUNTIME} pins pyotp=={pinned}, {lockfile.DEV} does not: they must agree" in found


def test_a_missing_lock_is_named(checkout: Path):
    (checkout / lockfile.RUNTIME).unlink()
    assert lockfile.problems(checkout) == [f"{lockfile.RUNTIME} is missing"]


def test_the_virtualenv_holds_exactly_the_locked_versions():
    assert lockfile.not_installed(ROOT / lockfile.DEV) == []


def test_a_version_other_than_the_locked_one_is_reported(tmp_path: Path):
    lock = tmp_path / "x.lock"
    lock.write_text("pyotp==0.1 \\\n    --hash=sha256:00\nnot-for-us==1.0 ; sys_platform == 'nonexistent'\n")
    assert lockfile.not_installed(lock)[0].startswith("pyotp: locked 0.1, installed ")
    assert len(lockfile.not_installed(lock)) == 1  # a pin whose marker does not apply here is not wanted

"""The project's wheel, installed with its dependencies into a clean virtualenv, runs.

The image and any pip-based deployment run the installed wheel, not the checkout: a
package left out of ``[tool.setuptools.packages.find]`` (as ``webhooks`` once was) works
in every test that imports from the source tree and fails only in production. So the
wheel is built, installed into a fresh venv, and ``django-admin check`` runs from a
folder outside the source tree with no ``PYTHONPATH``, with production's environment.

The wheel holds the packages with their own templates (package data), not the project's
top-level templates/ and static/, which the image reads from its copy of the source
(BASE_DIR). `check` warns (staticfiles.W004) that STATICFILES_DIRS does not exist, which
does not fail it.

Slow (a build and a dependency install from the package index, about 20 s here):
run with RUN_SLOW=1.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

# The settings module a production deployment uses (the image's DJANGO_SETTINGS_MODULE).
PRODUCTION_SETTINGS = "config.settings.production"

# The folder that holds pyproject.toml: tests/deploy/test_wheel.py -> tests/deploy -> tests -> root.
REPO_ROOT = Path(__file__).resolve().parents[2]

# Top-level folders with an __init__.py that are not part of the application.
NOT_SHIPPED = {"tests", "bench", "docs", "docker", "static", "templates"}

# Left out of the copy the wheel is built from: local state and earlier build output.
# setuptools reuses a stale build/lib, which could put back a package the config drops.
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "var",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    "staticfiles",
    "node_modules",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


def base_python() -> str:
    """The interpreter the test venv is based on: this process runs inside a venv."""
    base = getattr(sys, "_base_executable", None)
    if base and Path(base).exists() and Path(base).resolve() != Path(sys.executable).resolve():
        return base
    found = shutil.which("python3.11")
    if found:
        return found
    pytest.skip("no base Python 3.11 found (sys._base_executable or python3.11 on PATH)")


def shipped_packages() -> set[str]:
    """Top-level packages of the source tree that the application needs at run time."""
    return {
        path.parent.name
        for path in REPO_ROOT.glob("*/__init__.py")
        if path.parent.name not in NOT_SHIPPED
    }


def installed_apps_packages() -> set[str]:
    """Top-level source packages named in INSTALLED_APPS (they must ship even without apps.py)."""
    from django.conf import settings

    local = {path.parent.name for path in REPO_ROOT.glob("*/__init__.py")}
    return {app.split(".")[0] for app in settings.INSTALLED_APPS} & local


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project's wheel, built with pip from a clean copy of the source tree."""
    probe = subprocess.run(
        [sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        pytest.skip(f"pip is not available to build the wheel: {probe.stderr.strip()}")
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    shutil.copytree(REPO_ROOT, source, ignore=COPY_IGNORE)
    out = work / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(source)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert build.returncode == 0, f"pip wheel failed:\n{build.stdout}\n{build.stderr}"
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {out}, found {wheels}"
    return wheels[0]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel and its dependencies installed, as a deployment has."""
    python = base_python()
    root = tmp_path_factory.mktemp("venv") / "venv"
    # Without pip of its own: the test process's pip installs into it (--python), which
    # spares ensurepip's bootstrap.
    made = subprocess.run(
        [python, "-m", "venv", "--without-pip", str(root)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert made.returncode == 0, f"python -m venv failed:\n{made.stdout}\n{made.stderr}"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    install = subprocess.run(
        # No byte-compiling: the check imports each module once anyway.
        [sys.executable, "-m", "pip", "--python", str(root / "bin" / "python"), "install",
         "--no-compile", str(wheel)],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
        check=False,
    )
    assert install.returncode == 0, f"pip install failed:\n{install.stdout}\n{install.stderr}"
    return root


def test_wheel_holds_every_application_package(wheel: Path):
    """Every app package, every module and every template of it, is in the wheel (a folder
    without __init__.py, e.g. a new migrations folder, is skipped by setuptools' find)."""
    names = set(zipfile.ZipFile(wheel).namelist())
    top_level = {name.split("/", 1)[0] for name in names if "/" in name}
    expected = shipped_packages() | installed_apps_packages()
    missing = sorted(expected - top_level)
    assert not missing, (
        f"packages missing from {wheel.name}: {', '.join(missing)} "
        "(add them to [tool.setuptools.packages.find] include in pyproject.toml)"
    )
    missing_modules = sorted(
        path.relative_to(REPO_ROOT).as_posix()
        for package in expected
        for path in (REPO_ROOT / package).rglob("*")
        if path.suffix in (".py", ".html")
        and "__pycache__" not in path.parts
        and path.relative_to(REPO_ROOT).as_posix() not in names
    )
    assert not missing_modules, f"files missing from {wheel.name}: {', '.join(missing_modules)}"


def test_installed_wheel_passes_system_check(venv: Path, tmp_path: Path):
    """`django-admin check` passes with production settings from the installed wheel alone."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    # Only what a deployment sets: nothing of this test process (its DATABASE_URL, VAR_DIR,
    # STATIC_MANIFEST=false, PYTHONPATH) may leak into the check.
    env = {
        "PATH": f"{venv / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": PRODUCTION_SETTINGS,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "example.com",
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "DEBUG": "false",
        "VAR_DIR": str(tmp_path / "var"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }

    where = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import config, sys; print(config.__file__, sys.path)",
        ],
        cwd=run_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert where.returncode == 0, where.stderr
    assert str(venv) in where.stdout.split()[0], f"config imported from elsewhere: {where.stdout}"
    assert str(REPO_ROOT) not in where.stdout, f"source tree on sys.path: {where.stdout}"

    check = subprocess.run(
        [str(venv / "bin" / "django-admin"), "check"],
        cwd=run_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    output = check.stdout + check.stderr
    assert check.returncode == 0, f"django-admin check failed:\n{output}"
    # Warnings do not fail the check: the wheel has no static/ folder, so staticfiles.W004
    # reports STATICFILES_DIRS missing (see the module docstring).
    assert re.search(r"System check identified (no issues|\d+ issues?) \(\d+ silenced\)", output), (
        output
    )

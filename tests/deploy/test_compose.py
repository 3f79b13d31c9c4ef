"""docker-compose.yml and the Dockerfile, checked by reading them (CI has no Docker engine)."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.workers import PROJECT_ROOT

APP_ROLES = ("web", "worker", "beat", "sandbox")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def documented() -> set[str]:
    text = (PROJECT_ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, re.M))


def test_every_app_service_runs_the_one_image_in_its_own_role(compose):
    services = compose["services"]
    image = compose["x-app"]["image"]
    for role in APP_ROLES:
        assert services[role]["image"] == image, role
        assert services[role]["command"] == [role], role
    assert set(services) == {"db", "redis", *APP_ROLES}


def test_web_worker_and_beat_share_one_definition(compose):
    """After their command (and the ports web publishes), nothing tells them apart."""
    services = compose["services"]

    def shared(role: str) -> dict:
        return {k: v for k, v in services[role].items() if k not in ("command", "ports")}

    assert shared("web") == shared("worker") == shared("beat") == compose["x-app"]
    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    for role in APP_ROLES:
        assert re.search(rf"^  {role}:\n    <<: \*app$", text, re.M), role


def test_every_service_has_a_health_check_and_restarts(compose):
    for name, service in compose["services"].items():
        assert service["healthcheck"]["test"], name
        assert service["restart"] == "unless-stopped", name


def test_app_services_start_after_healthy_database_and_broker(compose):
    for role in APP_ROLES:
        depends = compose["services"][role]["depends_on"]
        assert depends == {
            "db": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }, role


def test_data_lives_in_named_volumes(compose):
    named = set(compose["volumes"])
    mounts = {
        name: [volume.split(":")[0] for volume in service.get("volumes", [])]
        for name, service in compose["services"].items()
    }
    assert mounts["db"] == ["postgres-data"] and mounts["redis"] == ["redis-data"]
    # Beat's schedule sits in VAR_DIR (/app/var), so it survives a restart.
    assert mounts["beat"] == ["app-var"]
    assert {source for sources in mounts.values() for source in sources} <= named


def test_the_sandbox_comes_only_with_the_demo_profile(compose):
    services = compose["services"]
    assert services["sandbox"]["profiles"] == ["demo"]
    assert all("profiles" not in services[name] for name in services if name != "sandbox")


def test_every_variable_compose_passes_is_documented_in_env_example(compose):
    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    interpolated = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", text))
    passed = set()
    for service in compose["services"].values():
        passed |= set(service.get("environment", {}))
    # The postgres image's own variables are filled from the documented POSTGRES_*.
    assert interpolated and passed
    assert (interpolated | passed) - documented() == set()
    assert compose["x-app"]["env_file"] == ".env"


def test_every_variable_the_entry_script_reads_is_documented():
    script = (PROJECT_ROOT / "docker" / "entrypoint.sh").read_text()
    read = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", script))
    assert read and read - documented() == set()


def test_dockerfile_builds_one_slim_non_root_image_with_static_files_and_a_healthcheck():
    text = (PROJECT_ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+) AS (\w+)$", text, re.M)
    assert stages == [("python:3.11-slim", "build"), ("python:3.11-slim", "runtime")]
    assert 'pip install ".[sandbox]"' in text  # dependencies from pyproject.toml
    assert "collectstatic" in text and "STATIC_MANIFEST=true" in text
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*CMD", text, re.M)
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in text
    assert 'CMD ["web"]' in text


def test_secrets_and_local_state_stay_out_of_the_image():
    ignored = (PROJECT_ROOT / ".dockerignore").read_text().split()
    assert {".env", ".git", ".venv", "var", "staticfiles"} <= set(ignored)

"""docker-compose.yml and the Dockerfile, checked by reading them; test_image.py runs them."""

from __future__ import annotations

import re

import pytest
import yaml

from tests.workers import PROJECT_ROOT

APP_ROLES = ("web", "worker", "beat", "sandbox")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())


def env_example() -> str:
    return (PROJECT_ROOT / ".env.example").read_text()


def documented() -> set[str]:
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", env_example(), re.M))


# Read by compose itself, the postgres image, the sandbox or the tests, not by the app; and
# the two folders the image fixes.
NOT_FOR_THE_APP = {"POSTGRES_PASSWORD", "POSTGRES_USER", "POSTGRES_DB", "APP_IMAGE"}
NOT_FOR_THE_APP |= {"WEB_PUBLISH", "CALENDLY_OPENAPI_PATH", "VAR_DIR", "STATIC_ROOT"}


def test_every_app_service_runs_the_one_image_in_its_own_role(compose):
    services = compose["services"]
    image = compose["x-app"]["image"]
    for role in APP_ROLES:
        assert services[role]["image"] == image, role
        assert services[role]["command"] == [role], role
    assert set(services) == {"db", "redis", *APP_ROLES}


def test_web_worker_and_beat_share_one_definition(compose):
    """After their command, web's build and port, and their limits, nothing tells them apart."""
    services = compose["services"]
    own = ("command", "ports", "build", "stop_grace_period", "mem_limit", "cpus")

    def shared(service: dict) -> dict:
        return {k: v for k, v in service.items() if k not in own}

    assert shared(services["web"]) == shared(services["worker"]) == shared(services["beat"])
    assert shared(services["web"]) == shared(compose["x-app"])
    text = (PROJECT_ROOT / "docker-compose.yml").read_text()
    for role in ("web", "worker", "beat"):
        assert re.search(rf"^  {role}:\n    <<: \*app$", text, re.M), role


def test_only_web_builds_the_image(compose):
    """One build per `docker compose build`, under the one tag the others run."""
    built = [name for name, service in compose["services"].items() if "build" in service]
    assert built == ["web"]


def test_every_service_has_a_health_check_restarts_and_rotated_logs(compose):
    for name, service in compose["services"].items():
        assert service["healthcheck"]["test"], name
        assert service["restart"] == "unless-stopped", name
        assert service["logging"]["options"]["max-size"], name
        assert service["mem_limit"] and service["cpus"], name
        assert service["read_only"] is True, name
        assert "no-new-privileges:true" in service["security_opt"], name


def test_app_containers_drop_every_capability(compose):
    for role in APP_ROLES:
        assert compose["services"][role]["cap_drop"] == ["ALL"], role


def test_a_stopped_worker_hands_its_tasks_back_within_the_grace_period(compose):
    grace = compose["services"]["worker"]["stop_grace_period"]
    soft = re.search(r"^CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT=(\d+)$", env_example(), re.M)
    assert grace.endswith("s") and int(grace[:-1]) >= int(soft.group(1)) + 20


def test_app_services_start_after_healthy_database_and_broker(compose):
    for role in ("web", "worker", "beat"):
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


def test_each_container_gets_only_the_settings_it_reads(compose):
    """No env_file: .env as a whole would hand every container every secret."""
    services = compose["services"]
    assert all("env_file" not in service for service in services.values())
    app = set(compose["x-app"]["environment"])
    sandbox_only = {name for name in documented() if name.startswith("SANDBOX_")}
    assert app == documented() - NOT_FOR_THE_APP - sandbox_only
    assert set(services["db"]["environment"]) == {"POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"}
    secrets = {"SECRET_KEY", "TOKEN_ENCRYPTION_KEYS", "DATABASE_URL", "POSTGRES_PASSWORD"}
    assert not secrets & set(services["sandbox"]["environment"])


def test_every_variable_the_entry_script_reads_is_documented():
    script = (PROJECT_ROOT / "docker" / "entrypoint.sh").read_text()
    read = set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)", script))
    assert read and read - documented() == set()


def test_dockerfile_builds_one_slim_non_root_image_with_static_files_and_a_healthcheck():
    text = (PROJECT_ROOT / "Dockerfile").read_text()
    stages = re.findall(r"^FROM (\S+) AS (\w+)$", text, re.M)
    assert stages == [("${PYTHON_IMAGE}", "build"), ("${PYTHON_IMAGE}", "runtime")]
    # A Debian release in the tag; no `# syntax=` line, which BuildKit fetches from a registry.
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim-\w+$", text, re.M)
    assert not re.search(r"^# *syntax=", text, re.M)
    assert "--require-hashes -r /tmp/requirements.lock" in text  # exactly the lock
    assert "collectstatic" in text and "STATIC_MANIFEST=true" in text
    users = re.findall(r"^USER (\S+)$", text, re.M)
    assert users and users[-1] not in ("root", "0")
    assert re.search(r"^HEALTHCHECK .*\n?.*CMD", text, re.M)
    assert 'ENTRYPOINT ["/app/docker/entrypoint.sh"]' in text
    assert 'CMD ["web"]' in text


def test_the_build_context_is_only_what_the_image_runs():
    """Everything is left out but named folders: backups, .env files, docs and tests too."""
    lines = [
        line
        for line in (PROJECT_ROOT / ".dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert lines[0] == "*"
    kept = {line[1:].rstrip("/") for line in lines if line.startswith("!")}
    assert not kept & {"docs", "bench", "tests", "var", ".venv", ".env", "demo.env", "Makefile"}
    assert {"**/.env*", "**/*.dump"} <= set(lines)

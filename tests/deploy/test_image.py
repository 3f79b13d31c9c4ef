"""The image and the compose stack as a self-hoster runs them (`make image-test`, issue #19).

The image is built once, with a stray backup and .env file planted in the checkout; the
stack comes up in production mode with three web replicas starting together, then in the
demo profile, where Chromium signs in through the sandbox and a booking made there arrives
by webhook. The backup, restore and health commands are docs/self-hosting.md's.

Runs only with RUN_IMAGE_TEST=1 (`make image-test`, .ci/run): a few minutes, and it needs a
Docker daemon, which it sets up with ../shared/tools/containers where none answers; it skips,
saying why, where none can start.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time
from collections.abc import Iterator

import pytest
import requests
from cryptography.fernet import Fernet

from tests.deploy.docker_stack import (
    IMAGE,
    Stack,
    ensure_base_images,
    ensure_docker,
    free_port_range,
    run,
)
from tests.sandbox_process import wait_for
from tests.workers import PROJECT_ROOT

pytestmark = [
    pytest.mark.timeout(1800),
    pytest.mark.skipif(not os.environ.get("RUN_IMAGE_TEST"), reason="make image-test runs it"),
]
# What a checkout holds after the guide's commands, which must not reach the image.
PLANTED = ("dashboard-2026-01-01.dump", ".env.production")
APP_ROLES = ("web", "worker", "beat")
APP_UID = "10001"
PROXY_HEADERS = {"Host": "dashboard.example.com", "X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def image() -> Iterator[str]:
    ensure_docker()
    ensure_base_images()
    planted = [PROJECT_ROOT / name for name in PLANTED if not (PROJECT_ROOT / name).exists()]
    for path in planted:
        path.write_text("a secret that must stay out of the image\n")
    try:
        started = time.monotonic()
        run("docker", "build", "-t", IMAGE, str(PROJECT_ROOT), timeout=1200)
        print(f"\nimage built in {time.monotonic() - started:.0f} s")
    finally:
        for path in planted:
            path.unlink()
    yield IMAGE
    run("docker", "image", "rm", "-f", IMAGE, check=False)


def secrets_env(image: str) -> dict[str, str]:
    return {
        "APP_IMAGE": image,
        "POSTGRES_PASSWORD": secrets.token_hex(24),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "TOKEN_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
    }


@pytest.fixture(scope="module")
def production(image, tmp_path_factory) -> Iterator[Stack]:
    first = free_port_range(3)
    env = secrets_env(image) | {
        "ALLOWED_HOSTS": "dashboard.example.com",
        "PUBLIC_BASE_URL": "https://dashboard.example.com",
        "SECURE_SSL_REDIRECT": "true",
        "BEHIND_TLS_PROXY": "true",
        "RATE_LIMIT_TRUSTED_PROXIES": "1",
        "CALENDLY_CLIENT_ID": "image-test",
        "CALENDLY_CLIENT_SECRET": "image-test-secret",
        "WEB_PUBLISH": f"127.0.0.1:{first}-{first + 2}",
    }
    stack = Stack(tmp_path_factory.mktemp("production"), "dash-prod", env)
    stack.ports = [first + i for i in range(3)]
    try:
        started = time.monotonic()
        stack.compose("up", "-d", "--scale", "web=3", timeout=600)
        stack.wait_healthy()
        print(f"\nproduction stack healthy in {time.monotonic() - started:.0f} s")
        idle_memory(stack)
        yield stack
    finally:
        stack.down()


def idle_memory(stack: Stack) -> None:
    """For the record (docs/self-hosting.md quotes it): each container's memory at idle."""
    names = [c["Name"].lstrip("/") for c in stack.containers()]
    stats = run("docker", "stats", "--no-stream", "--format", "{{.Name}} {{.MemUsage}}", *names)
    print("\n" + stats.stdout)


def web_ports(stack: Stack) -> list[int]:
    ports = []
    for container in stack.containers():
        for bindings in (container["NetworkSettings"]["Ports"] or {}).values():
            ports += [int(b["HostPort"]) for b in bindings or [] if b["HostIp"] == "127.0.0.1"]
    return sorted(ports)


def test_the_image_holds_no_backup_env_file_docs_or_bench(image):
    listing = run(
        "docker", "run", "--rm", "--entrypoint", "sh", image, "-c",
        "find / -xdev \\( -name '*.dump' -o -name '.env*' -o -name demo.env \\) -print;"
        " ls -d /app/docs /app/bench /app/tests /app/Makefile /venv/bin/pip 2>/dev/null; true",
    ).stdout.split()  # fmt: skip
    assert listing == []


def test_three_replicas_serve_probes_and_migrate_exactly_once(production):
    assert web_ports(production) == production.ports
    for port in production.ports:
        assert requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200
        ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert (ready.status_code, ready.json()) == (200, {"database": "ok", "broker": "ok"})
    webs = [c["Name"].lstrip("/") for c in production.containers()
            if c["Config"]["Labels"]["com.docker.compose.service"] == "web"]  # fmt: skip
    logs = [run("docker", "logs", name).stdout for name in webs]
    applied = sorted(log.count("  Applying ") for log in logs)
    assert applied[:2] == [0, 0] and applied[2] > 0, applied
    assert sum("No migrations to apply" in log for log in logs) == 2
    rows = production.psql("select count(*), count(distinct (app, name)) from django_migrations")
    total, distinct = rows.split("|")
    assert total == distinct == str(applied[2])


def test_every_role_is_healthy_and_not_root(production):
    containers = production.containers()
    roles = sorted(c["Config"]["Labels"]["com.docker.compose.service"] for c in containers)
    assert roles == ["beat", "db", "redis", "web", "web", "web", "worker"]
    for container in containers:
        assert container["State"]["Health"]["Status"] == "healthy", container["Name"]
    for role in APP_ROLES:
        assert production.exec(role, "id", "-u").stdout.strip() == APP_UID, role
        # PID 1 is the role's own process (the entry script execs it), as the app user.
        status = production.exec(role, "cat", "/proc/1/status").stdout
        assert re.search(rf"^Uid:\s+{APP_UID}\s", status, re.M), role


def test_static_files_are_hashed_and_compressed_without_debug(production):
    manifest = json.loads(production.exec("web", "cat", "/app/staticfiles/staticfiles.json").stdout)
    name, hashed = next((k, v) for k, v in manifest["paths"].items() if k.endswith(".css"))
    assert hashed != name
    url = f"http://127.0.0.1:{production.ports[0]}/static/{hashed}"
    answer = requests.get(url, headers=PROXY_HEADERS | {"Accept-Encoding": "gzip"}, timeout=5)
    assert answer.status_code == 200
    assert answer.headers["Content-Encoding"] == "gzip"
    assert "immutable" in answer.headers["Cache-Control"], (url, answer.headers)
    debug_page = requests.get(
        f"http://127.0.0.1:{production.ports[0]}/no-such-page/", headers=PROXY_HEADERS, timeout=5
    )
    assert debug_page.status_code == 404 and "Traceback" not in debug_page.text


def test_behind_the_proxy_each_client_has_its_own_rate_limit(production):
    """X-Forwarded-For as the guide's proxy sets it: 40 people signing in at once pass."""
    url = f"http://127.0.0.1:{production.ports[0]}/accounts/calendly/login/callback/"

    def status(client: str) -> int:
        headers = PROXY_HEADERS | {"X-Forwarded-For": client}
        return requests.get(url, headers=headers, timeout=10, allow_redirects=False).status_code

    assert 429 not in [status(f"198.51.100.{i}") for i in range(1, 41)]
    answers = [status("203.0.113.9") for _ in range(40)]
    assert 429 in answers, (url, answers)


def test_beat_is_unhealthy_while_it_cannot_reach_the_database(production):
    production.compose("stop", "db")
    try:
        production.compose("restart", "beat")
        check = production.exec("beat", "python", "/app/docker/healthcheck.py", check=False)
        assert check.returncode == 1, check.stdout + check.stderr
    finally:
        production.compose("start", "db")
    wait_for(
        lambda: production.exec("beat", "python", "/app/docker/healthcheck.py",
                                check=False).returncode == 0,
        120,
        what="beat healthy again once the database answers",
    )  # fmt: skip


def test_data_survives_down_and_up_and_a_backup_restores_it(production):
    production.shell(
        "docker compose exec -T web /app/docker/entrypoint.sh manage createsuperuser"
        " --noinput --username keeper --email keeper@example.com"
    )
    production.compose("down", "--timeout", "20")
    production.compose("up", "-d", "--scale", "web=3", timeout=600)
    production.wait_healthy()
    assert production.psql("select username from auth_user") == "keeper"
    # The guide's backup, into the folder it names, then its restore over a changed database.
    production.shell(GUIDE_BACKUP)
    [dump] = list((production.folder / "dashboard-backups").glob("dashboard-*.dump"))
    assert dump.stat().st_size > 0
    production.psql("delete from auth_user")
    production.shell(GUIDE_RESTORE.replace("YYYY-MM-DD", dump.stem.removeprefix("dashboard-")))
    production.wait_healthy()
    assert production.psql("select username from auth_user") == "keeper"


def guide_block(marker: str) -> str:
    """The command line of docs/self-hosting.md's code block that holds `marker`."""
    text = (PROJECT_ROOT / "docs" / "self-hosting.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    [block] = [b for b in blocks if marker in b]
    return block.strip()


GUIDE_BACKUP = guide_block("pg_dump")
GUIDE_RESTORE = guide_block("pg_restore")


# --- The demo profile -------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(image, tmp_path_factory) -> Iterator[Stack]:
    web, sandbox = free_port_range(1), free_port_range(1)
    base = f"http://127.0.0.1:{web}"
    calendly = f"http://sandbox.localhost:{sandbox}"
    env = secrets_env(image) | {
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "PUBLIC_BASE_URL": base,
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "CALENDLY_AUTH_BASE_URL": calendly,
        "CALENDLY_API_BASE_URL": calendly,
        "CALENDLY_CLIENT_ID": "demo-dashboard",
        "CALENDLY_CLIENT_SECRET": "demo-dashboard-secret",
        "SANDBOX_REDIRECT_URIS": f"{base}/accounts/calendly/login/callback/",
        "WEB_PUBLISH": f"127.0.0.1:{web}",
        "SANDBOX_PORT": str(sandbox),
    }
    stack = Stack(tmp_path_factory.mktemp("demo"), "dash-demo", env)
    stack.base, stack.calendly = base, f"http://127.0.0.1:{sandbox}"
    try:
        stack.compose("--profile", "demo", "up", "-d", timeout=600)
        stack.wait_healthy()
        yield stack
        idle_memory(stack)
    finally:
        stack.compose("--profile", "demo", "down", "--volumes", "--timeout", "20", check=False)


def test_demo_sign_in_in_chromium_then_a_booking_arrives_by_webhook(demo):
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as playwright:
        # The browser resolves sandbox.localhost to this machine, as the guide says.
        args = [*CHROMIUM_ARGS, "--host-resolver-rules=MAP sandbox.localhost 127.0.0.1"]
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=args)
        page = browser.new_page()
        page.set_default_timeout(20_000)
        page.goto(demo.base)
        page.get_by_role("button", name="Sign in with Calendly").click()
        page.get_by_label("Calendly user").select_option("admin@acme.example")
        page.get_by_role("button", name="Allow").click()
        expect(page).to_have_url(re.compile(rf"^{re.escape(demo.base)}/week/"))
        browser.close()

    subscriptions = wait_for(
        lambda: sandbox(demo, "GET", "/dump")["webhook_subscriptions"], 120,
        what="the dashboard's webhook subscription",
    )  # fmt: skip
    assert subscriptions[0]["callback_url"] == f"{demo.base}/webhooks/calendly/"
    event_type, start = wait_for(lambda: bookable_slot(demo), 120, what="a synced slot")
    booked = sandbox(demo, "POST", "/bookings", {"event_type": event_type, "start_time": start})
    assert booked["webhooks_queued"] == 1
    delivered = wait_for(
        lambda: sandbox(demo, "GET", "/stats")["webhook_deliveries"], 5,
        what="the booking's webhook at the dashboard", interval=0.1,
    )  # fmt: skip
    assert [(d["event"], d["status"]) for d in delivered] == [("invitee.created", 202)]


def sandbox(stack: Stack, method: str, path: str, body: dict | None = None):
    answer = requests.request(method, f"{stack.calendly}/_sandbox{path}", json=body, timeout=10)
    answer.raise_for_status()
    return answer.json()


SLOT = (
    "from datetime import timedelta; from django.utils import timezone;"
    "from availability.models import AvailableSlot as S;"
    "s = S.objects.filter(invitees_remaining=1, event_type__pooling_type='',"
    " start__gt=timezone.now() + timedelta(hours=2)).select_related('event_type')"
    ".order_by('start').first();"
    "print(s and s.event_type.uri + ' ' + s.start.isoformat().replace('+00:00', 'Z'))"
)


def bookable_slot(stack: Stack) -> tuple[str, str] | None:
    found = stack.exec("web", "/app/docker/entrypoint.sh", "manage", "shell", "-c", SLOT)
    words = found.stdout.strip().splitlines()[-1].split() if found.stdout.strip() else []
    return (words[0], words[1]) if len(words) == 2 else None

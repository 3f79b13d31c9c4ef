"""Run as a process by the concurrency test: many threads ask for one credential's token at once.

Usage: python -m tests.accounts.token_callers CREDENTIAL_ID THREADS
Prints one JSON line: for each thread, the token's fingerprint and whether Calendly
(the sandbox) accepted it, or the error it raised.

At most DB_CONNECTIONS threads of a process hold a database connection at once, as a
connection pool would: PostgreSQL's default max_connections (100) is below 8 x 20, and
.ci/run's two clock lanes may run this test at the same moment (8 x 8 a lane ran out:
"sorry, too many clients already"). 8 processes x 2 still race for the row lock.
"""

import hashlib
import json
import os
import sys
import threading

DB_CONNECTIONS = 2


def main(credential_id: int, threads: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    import requests
    from django.conf import settings
    from django.db import connection

    from accounts.tokens import CredentialTokens

    start = threading.Barrier(threads)
    pool = threading.BoundedSemaphore(DB_CONNECTIONS)
    results: list[dict] = []

    def ask() -> None:
        start.wait()
        try:
            with pool:
                try:
                    token = CredentialTokens(credential_id).access_token()
                finally:
                    connection.close()
            answer = requests.get(
                f"{settings.CALENDLY_API_BASE_URL}/users/me",
                headers={"Authorization": f"Bearer {token}"},
                timeout=30,
            )
            results.append(
                {
                    "token": hashlib.sha256(token.encode()).hexdigest()[:12],
                    "status": answer.status_code,
                }
            )
        except Exception as error:  # noqa: BLE001 (reported to the test, which fails on it)
            results.append({"error": f"{type(error).__name__}: {error}"})

    workers = [threading.Thread(target=ask) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    print(json.dumps(results))


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))

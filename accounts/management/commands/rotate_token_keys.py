"""Re-encrypts every stored secret with the newest key in TOKEN_ENCRYPTION_KEYS."""

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts import crypto
from accounts.models import CalendlyCredential

ENCRYPTED_COLUMNS = ("access_token", "refresh_token")


class Command(BaseCommand):
    help = (
        "Re-encrypt Calendly tokens with the first key of TOKEN_ENCRYPTION_KEYS. "
        "Put the new key first, keep the old ones after it, run this, then drop the old keys."
    )

    def handle(self, *args, **options) -> None:
        table = connection.ops.quote_name(CalendlyCredential._meta.db_table)
        columns = ", ".join(ENCRYPTED_COLUMNS)
        assignments = ", ".join(f"{column} = %s" for column in ENCRYPTED_COLUMNS)
        # Stored ciphertext is rotated as it is (MultiFernet.rotate): no token is held in clear.
        with transaction.atomic(), connection.cursor() as cursor:
            list(CalendlyCredential.objects.select_for_update().values_list("pk", flat=True))
            cursor.execute(f"SELECT id, {columns} FROM {table}")  # noqa: S608 (fixed identifiers)
            rows = cursor.fetchall()
            for pk, *ciphertexts in rows:
                rotated = [crypto.rotate(text) if text else text for text in ciphertexts]
                cursor.execute(
                    f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
                    [*rotated, pk],
                )
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted {len(rows)} credential(s) with the newest key.")
        )
        if apps.is_installed("webhooks"):  # its signing keys are encrypted with the same keys
            call_command("rotate_webhook_keys", stdout=self.stdout)

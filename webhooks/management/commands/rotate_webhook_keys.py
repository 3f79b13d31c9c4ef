"""Re-encrypts the webhook signing keys with the newest key in TOKEN_ENCRYPTION_KEYS.

``rotate_token_keys`` runs this too; on its own it is for a deployment that rotated its
tokens before webhooks existed."""

from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts import crypto
from webhooks.models import WebhookSubscription


class Command(BaseCommand):
    help = "Re-encrypt webhook signing keys with the first key of TOKEN_ENCRYPTION_KEYS."

    def handle(self, *args, **options) -> None:
        table = connection.ops.quote_name(WebhookSubscription._meta.db_table)
        # The stored ciphertext is rotated as it is: no key is held in clear.
        with transaction.atomic(), connection.cursor() as cursor:
            list(WebhookSubscription.objects.select_for_update().values_list("pk", flat=True))
            cursor.execute(f"SELECT id, signing_key FROM {table}")  # noqa: S608 (fixed names)
            rows = cursor.fetchall()
            for pk, ciphertext in rows:
                if ciphertext:
                    cursor.execute(
                        f"UPDATE {table} SET signing_key = %s WHERE id = %s",  # noqa: S608
                        [crypto.rotate(ciphertext), pk],
                    )
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {len(rows)} webhook signing key(s)."))

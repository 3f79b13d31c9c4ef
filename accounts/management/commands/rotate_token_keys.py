"""Re-encrypts every secret stored at rest with the newest key in TOKEN_ENCRYPTION_KEYS."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from accounts import crypto
from accounts.fields import EncryptedTextField


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted column (Calendly tokens, webhook signing keys) with the "
        "first key of TOKEN_ENCRYPTION_KEYS. Put the new key first, keep the old ones after "
        "it, run this, then drop the old keys."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            for model in apps.get_models():
                columns = [
                    field.column
                    for field in model._meta.concrete_fields
                    if isinstance(field, EncryptedTextField)
                ]
                if columns:
                    count = rotate_columns(model, columns)
                    self.stdout.write(f"{model._meta.label}: re-encrypted {count} row(s).")
        self.stdout.write(self.style.SUCCESS("Every stored secret now uses the newest key."))


def rotate_columns(model, columns: list[str]) -> int:
    """Rotates the stored ciphertext as it is (MultiFernet.rotate): no secret is held in clear."""
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    selected = ", ".join(quote(column) for column in columns)
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    list(model._default_manager.select_for_update().values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {pk}, {selected} FROM {table}")  # noqa: S608 (quoted identifiers)
        rows = cursor.fetchall()
        for key, *ciphertexts in rows:
            rotated = [crypto.rotate(text) if text else text for text in ciphertexts]
            cursor.execute(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", [*rotated, key])  # noqa: S608
    return len(rows)

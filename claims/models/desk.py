"""What the editors' desk has already emailed, so that no attention item is sent twice.

One row per item key (``claims.selectors.desk.AttentionItem.key``). The digest claims its items by
inserting their keys under its own ``batch`` id (a unique key refuses a second insert), so two
digests running at once never send the same item.
"""

from __future__ import annotations

from django.db import models


class DeskNotice(models.Model):
    key = models.CharField(max_length=200, unique=True, help_text="The attention item's key.")
    batch = models.UUIDField(db_index=True, help_text="The digest that sent it.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = "desk notice sent"
        verbose_name_plural = "desk notices sent"

    def __str__(self) -> str:
        return f"{self.key} (sent {self.sent_at:%Y-%m-%d %H:%M})"

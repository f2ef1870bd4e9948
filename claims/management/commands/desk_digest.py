"""``manage.py desk_digest``: email editors the desk's new attention items (what the beat task
``claims.tasks.desk_digest`` does), for deployments without beat or to send one now."""

from django.conf import settings
from django.core.management.base import BaseCommand

from claims.services.desk import desk_send_digest


class Command(BaseCommand):
    help = "Email the Editors group the editors' desk items not sent before (each item once)."

    def handle(self, *args, **options):
        result = desk_send_digest(base_url=settings.SITE_URL)
        if not result.recipients:
            self.stdout.write("No editor has an email address: nothing sent.")
        else:
            self.stdout.write(f"{result.items} new item(s) sent to {result.recipients} editor(s).")

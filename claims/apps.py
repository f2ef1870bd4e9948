"""App configuration for the knowledge base."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class ClaimsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "claims"
    verbose_name = "Provenance knowledge base"

    def ready(self):
        from django.db.backends.signals import connection_created

        from claims.search import repair_sqlite_index
        from provenance.pg_session import configure_session

        connection_created.connect(configure_session, dispatch_uid="provenance.pg_session")

        # After any migration: Django rebuilds a SQLite table for many changes, dropping its triggers.
        post_migrate.connect(repair_sqlite_index, sender=self, dispatch_uid="claims.search.repair")

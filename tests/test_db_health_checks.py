"""A dropped database connection costs no request (issue 22, item 20).

PostgreSQL connections are kept between requests (``CONN_MAX_AGE``); after a restart or failover a
kept connection is dead, and each gunicorn worker answered its next request with a 500. The
settings (``provenance.env.database_settings``) turn on ``CONN_HEALTH_CHECKS``: a kept connection is
checked when a request first uses it, and replaced if it is gone.

The check needs a real PostgreSQL server, which CI and this project's machines always have at
127.0.0.1:5432: with the suite on PostgreSQL the test uses that server's test database; on SQLite it
opens its own connection to the same local server (its maintenance database, no tables needed).
"""

from __future__ import annotations

import psycopg
import pytest
from django.db import connection
from django.db.backends.base.base import NO_DB_ALIAS
from django.db.utils import ConnectionHandler, OperationalError, load_backend

from provenance.env import database_settings

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/postgres"


def postgres_settings(**overrides) -> dict:
    """The project's database settings for the PostgreSQL server the tests can reach."""
    if connection.vendor == "postgresql":
        current = connection.settings_dict
        url = f"postgres://{current['USER']}@{current['HOST'] or '127.0.0.1'}:{current['PORT'] or 5432}/{current['NAME']}"
    else:
        url = LOCAL_POSTGRES
    return {**database_settings(url, var_dir=None), **overrides}


def own_connection(**overrides):
    """A connection of our own, outside the test's transaction. Its alias is Django's "no database"
    one so that django.contrib.postgres, which looks connections up by alias in the global handler,
    leaves it alone."""
    settings = ConnectionHandler({"default": postgres_settings(**overrides)}).settings["default"]
    return load_backend(settings["ENGINE"]).DatabaseWrapper(settings, alias=NO_DB_ALIAS)


def a_request(db) -> int:
    """What a request does: Django's request_started/finished handling of kept connections
    (``close_old_connections``), then a query; the server process id that answered it."""
    db.close_if_unusable_or_obsolete()
    with db.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    db.close_if_unusable_or_obsolete()
    return pid


def terminate(db, pid: int) -> None:
    """pg_terminate_backend from another connection, as a restart or failover does."""
    s = db.settings_dict
    with psycopg.connect(
        host=s["HOST"], port=s["PORT"] or 5432, user=s["USER"], dbname=s["NAME"], autocommit=True
    ) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", [pid]).fetchone()[0]


@pytest.mark.django_db
def test_the_settings_check_kept_postgresql_connections():
    settings = postgres_settings()
    assert settings["CONN_MAX_AGE"] == 60 and settings["CONN_HEALTH_CHECKS"] is True


@pytest.mark.django_db
@pytest.mark.parametrize("project_settings", [True, False])
def test_the_request_after_a_terminated_backend_succeeds(project_settings):
    """With the project's settings the next request reconnects; the contrast (checks off) shows the
    500 it replaces, so this test cannot pass because the connection was never really kept."""
    db = own_connection() if project_settings else own_connection(CONN_HEALTH_CHECKS=False)
    try:
        first = a_request(db)
        assert a_request(db) == first  # kept between requests
        terminate(db, first)
        if project_settings:
            assert a_request(db) != first  # a new connection, and the request succeeded
        else:
            with pytest.raises(OperationalError):
                a_request(db)
    finally:
        db.close()

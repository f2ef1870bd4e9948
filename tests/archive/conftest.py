"""Fixtures of the archive tests: the local source server, allowed for the archive."""

from __future__ import annotations

import pytest

from claims.archive.fetch import Policy
from tests.archive.source_server import SourceServer


@pytest.fixture(scope="module")
def source_server():
    with SourceServer() as server:
        yield server


@pytest.fixture
def policy(source_server) -> Policy:
    """The archive's rules with the test allowance for the local server only, small caps."""
    return Policy(max_bytes=2**20, deadline_seconds=4, max_redirects=5, allow=frozenset({source_server.host}))


@pytest.fixture(scope="module")
def archive_media(tmp_path_factory):
    """A media folder of this module's own, shared with its worker: what a capture stored (or did
    not) is seen apart from earlier runs."""
    return tmp_path_factory.mktemp("media")


@pytest.fixture
def archive_settings(settings, source_server, archive_media):
    settings.MEDIA_ROOT = archive_media
    settings.ARCHIVE_ALLOW_HOSTS = [source_server.host]
    settings.ARCHIVE_MAX_BYTES = 2**20
    settings.ARCHIVE_TIMEOUT_SECONDS = 4
    settings.ARCHIVE_MAX_REDIRECTS = 5
    settings.ARCHIVE_WATCH_HOST_DELAY_SECONDS = 0
    return settings

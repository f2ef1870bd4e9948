"""Project-wide test configuration.

A skipped or expected-to-fail test is not a pass here: the session fails if any test was skipped,
so CI can never go green on tests that did not run.
"""

from __future__ import annotations

import os
import tempfile

import pytest

from tests.run_state import RUN_DIR_VARIABLE, run_nulls


def pytest_configure(config: pytest.Config) -> None:
    if "PYTEST_XDIST_WORKER" not in os.environ:
        os.environ[RUN_DIR_VARIABLE] = tempfile.mkdtemp(prefix="provenance-test-run-")
    # The engine's command line keeps alignment nulls under the user's cache folder by default
    # (provenance.fingerprint.null_cache): the suite keeps its own, new each run, so no test reads a
    # null an earlier run (or the operator) kept. Subprocesses inherit it.
    os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="provenance-test-cache-")
    # The lineage search's automatic reports: off for every process the suite starts (see
    # _no_automatic_relative_reports below).
    os.environ["RELATIVES_CONFIRM_TOP"] = "0"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    not_run = len(reporter.stats.get("skipped", [])) + len(reporter.stats.get("xfailed", []))
    if not_run and session.exitstatus == 0:
        reporter.write_line(f"FAILED: {not_run} test(s) skipped or xfailed; every test must run.", red=True)
        session.exitstatus = 1


@pytest.hookimpl(trylast=True)  # after pytest-django has put the tests in the order they run in
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A ``serialized_rollback`` test must not run after another transactional test: that test's flush
    recreates the content types under new primary keys, and loading the serialized rows then breaks
    their unique key (docs/operations.md, "The test suite"). Each xdist process runs its tests in this
    order, so a test collected after a flushing one is refused here, before anything runs."""
    from pytest_django.fixtures import validate_django_db

    flushing = None
    for item in items:
        marker = item.get_closest_marker("django_db")
        transaction, reset_sequences, _databases, serialized, _apps = (
            validate_django_db(marker) if marker else (False, False, None, False, None)
        )
        transaction = (
            transaction or reset_sequences or {"transactional_db", "live_server"} & set(item.fixturenames)
        )
        if serialized and flushing:
            raise pytest.UsageError(
                f"{item.nodeid} uses serialized_rollback but runs after {flushing}, a transactional test whose "
                "flush recreates the content types: give it the rows it needs another way, or let it sort first."
            )
        if transaction and not serialized:
            flushing = flushing or item.nodeid


@pytest.fixture(autouse=True)
def _static_files_without_collectstatic(settings):
    """Pages link static files; the production manifest storage needs `collectstatic`, tests do not run it
    (and WhiteNoise warns when STATIC_ROOT does not exist yet)."""
    settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _no_capture_on_publish(settings):
    """Publishing an evidence record queues a capture of its URL; tests that publish records for
    other reasons must not send those to the broker (tests/archive switch it back on)."""
    settings.ARCHIVE_CAPTURE_ON_PUBLISH = False


@pytest.fixture(autouse=True)
def _site_url_of_the_test_client(settings):
    """Absolute links start with SITE_URL (claims/site_url.py); the test client's own address, so that
    a test can follow the links it reads (tests/site/test_site_url.py sends other Host headers)."""
    settings.SITE_URL = "http://testserver"


@pytest.fixture(autouse=True)
def _no_page_cache(settings):
    """Readers' pages are kept server-side per content version (claims/presentation/http_cache.py), which every
    service bumps; tests write with factories around the services, so the kept pages are off but
    where a test turns them on (tests/site/test_site_http_cache.py, and the tests that start
    gunicorn, as production does)."""
    settings.PAGE_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached fragments are keyed by the content version, which restarts with every test's rolled-back
    database: each test starts with empty caches, as a fresh deployment would (the API throttle's
    counts included: a test's many anonymous requests must not throttle the next test)."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()
    yield
    for cache in caches.all(initialized_only=True):
        cache.clear()


# -- Computed reports, once per session ------------------------------------------------------------
# A report's comparison and its charts are pure functions of their inputs (the two fingerprints, the
# methods and parameters, the sources, which weights could be read; the result and the names). The
# site's and the API's tests compute the same few reports of the synthetic lineage set again and again
# (``tests/site/conftest.py``: ``make_report``, ``demo_report``), each through the real pipeline in
# this process; the first computation of each is real and kept for the session, later ones get a copy.
# The pipeline's and the engine's own tests (``tests/pipeline``, ``tests/fingerprint``) always compute
# afresh: they test progress, failures, kept nulls and the engine itself. A test that needs a fresh
# computation elsewhere is marked ``fresh_engine``.
_KEPT_COMPARISONS: dict = {}
_KEPT_CHARTS: dict = {}
_ALWAYS_FRESH = ("tests/pipeline/", "tests/fingerprint/")


def _comparison_key(fp_a, fp_b, kwargs: dict) -> str:
    import json

    plain = {k: v for k, v in kwargs.items() if k not in ("on_method", "null_cache", "weights")}
    return json.dumps(
        [[fp.content_hash, fp.engine_version, fp.schema_version, fp.params, fp.config] for fp in (fp_a, fp_b)]
        + [plain, kwargs.get("weights") is not None],
        sort_keys=True,
        default=str,
    )


@pytest.fixture(autouse=True)
def _reports_computed_once_per_session(request, monkeypatch):
    if request.node.get_closest_marker("fresh_engine") or request.node.nodeid.startswith(_ALWAYS_FRESH):
        yield
        return
    import copy
    import json

    from claims.pipeline.reports import runner

    compare, draw = runner.compare_fingerprints, runner.charts_drawn

    def kept_compare(fp_a, fp_b, **kwargs):
        key = _comparison_key(fp_a, fp_b, kwargs)
        if key not in _KEPT_COMPARISONS:
            _KEPT_COMPARISONS[key] = compare(fp_a, fp_b, **kwargs)
        return copy.deepcopy(_KEPT_COMPARISONS[key])

    def kept_charts(*, result, labels):
        key = json.dumps([result, list(labels)], sort_keys=True, default=str)
        if key not in _KEPT_CHARTS:
            _KEPT_CHARTS[key] = draw(result=result, labels=labels)
        return copy.deepcopy(_KEPT_CHARTS[key])

    monkeypatch.setattr(runner, "compare_fingerprints", kept_compare)
    monkeypatch.setattr(runner, "charts_drawn", kept_charts)
    yield


@pytest.fixture(autouse=True)
def _no_automatic_relative_reports(settings):
    """The lineage search asks for reports on a new fingerprint's close relatives by itself
    (``RELATIVES_CONFIRM_TOP``, 3 in the product): off in tests, so each test's reports are the ones
    it asked for; tests/pipeline/test_relatives_confirm.py turns it on (the real worker follows the
    test's setting: tests/pipeline/worker_process.py)."""
    settings.RELATIVES_CONFIRM_TOP = 0


# -- Alignment nulls, once per run ---------------------------------------------------------------
# A kept null is a pure function of its key (``provenance.fingerprint.null_cache``: method, version,
# parameters, shapes and engine version), so every test of the run may share it: the first report of a
# shape computes its null (8-9 s for the synthetic lineage set's, on this machine's cores), every later
# one reads it, as every report after the first does in production. The product keeps nulls as rows
# (``KeptNull``), which each test's rollback or flush empties: so a test that uses the database starts
# with the run's nulls as rows (also read by the real worker processes it starts) and leaves the rows
# its reports added to the run's folder, which the engine tests' ``kept_nulls`` store shares across the
# xdist processes. A test marked ``fresh_engine`` (tests/pipeline/test_null_cache_rows.py: how nulls
# are kept) starts with none and leaves none.
_DATABASE_FIXTURES = ("db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback")


@pytest.fixture(autouse=True)
def _nulls_kept_for_the_run(request):
    uses_database = request.node.get_closest_marker("django_db") or any(
        name in request.fixturenames for name in _DATABASE_FIXTURES
    )
    if not uses_database or request.node.get_closest_marker("fresh_engine"):
        yield
        return
    request.getfixturevalue("_django_db_helper")  # set up before this fixture, torn down after it
    from django.db import DatabaseError

    from claims.models import KeptNull

    store = run_nulls()
    kept = {path.stem: path for path in store.folder.glob("*.json")} if store.folder.is_dir() else {}
    if kept:
        values = {key: store.get(key) for key in kept}
        KeptNull.objects.bulk_create(
            [
                KeptNull(key=key, value=value, method=str(value.get("method", ""))[:64])
                for key, value in values.items()
            ],
            ignore_conflicts=True,
        )
    yield
    try:
        new = KeptNull.objects.exclude(key__in=kept).values_list("key", "value")
        for key, value in new:
            store.put(key, value)
    except DatabaseError:  # the test left its transaction unusable: keep nothing from it
        pass

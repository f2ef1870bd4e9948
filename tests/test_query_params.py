"""Unknown query parameters are a 400 before anything is kept, and the page cache has a bound
(claims/query_params.py, claims/presentation/http_cache.py; issue 22, item 6).

300 anonymous requests with unique junk parameters once kept 300 copies (+7.6 MB, each for an hour).
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from claims.query_params import accepted_parameters
from claims.services import content_changed
from tests import factories as f
from tests.api.conftest import World, _fresh_throttle_counts  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache(settings):
    settings.PAGE_CACHE_SECONDS = 3600  # kept pages, as in production


def kept_pages() -> int:
    """Pages kept in the (local-memory) default cache."""
    return sum(":page:" in key for key in cache._cache)


def with_junk(client, path: str) -> list:
    """(name, answer) for ``path`` asked with 30 unique junk parameters; none of them was kept."""
    assert client.get(path).status_code == 200
    before = kept_pages()
    answers = [(f"zz{i}", client.get(f"{path}{'&' if '?' in path else '?'}zz{i}=x")) for i in range(30)]
    assert kept_pages() == before
    return answers


@pytest.fixture
def world():
    world = World(drafts=False)
    content_changed()
    return world


@pytest.mark.parametrize(
    "path",
    ["/", "/disputes/", "/claims/", "/disputes/case-0/", "/claims/claim-0/card.png", "/robots.txt",
     "/feeds/claims.atom", "/search/?q=Case", "/claims/?kind=derived_from"],
)  # fmt: skip
def test_junk_parameters_on_a_page_are_a_400_and_nothing_is_kept(client, world, path):
    for name, response in with_junk(client, path):
        assert response.status_code == 400, name
        assert response["Content-Type"].startswith("text/html")


@pytest.mark.parametrize(
    "path",
    ["/api/v1/", "/api/v1/claims/", "/api/v1/parties/?kind=lab", "/api/v1/disputes/case-0/",
     "/api/v1/disputes/case-0/timeline/", "/api/v1/export/", "/api/v1/export/claimreview/"],
)  # fmt: skip
def test_junk_parameters_on_the_api_are_a_400_naming_them_and_nothing_is_kept(client, world, path):
    for name, response in with_junk(client, path):
        assert response.status_code == 400
        error = response.json()["error"]
        assert error["code"] == "invalid" and list(error["fields"]) == [name]


@pytest.mark.parametrize(
    "query",
    ["page=2", "sort=oldest", "kind=derived_from&page=1", "made_after=2020-01-01"],
)
def test_the_parameters_a_page_reads_are_accepted(client, world, query):
    assert client.get(f"/claims/?{query}").status_code == 200


@pytest.mark.parametrize(
    "query",
    ["search=Case", "ordering=-updated_at", "page_size=1", "expand=dispute", "format=json",
     "updated_since=2020-01-01T00:00:00Z", "status=published", "is_response=true"],
)  # fmt: skip
def test_the_parameters_the_api_derives_from_its_filterset_pagination_and_format_are_accepted(
    client, world, query
):
    response = client.get(f"/api/v1/claims/?{query}")
    assert response.status_code in (200, 400)
    if response.status_code == 400:  # a value the filter refuses, never the parameter's name
        assert "Unknown query parameter" not in response.json()["error"]["message"]


def test_each_route_accepts_what_its_view_reads():
    assert accepted_parameters("/search/") == {"q"}
    assert accepted_parameters("/disputes/case-0/") == {"page"}  # the timeline's pages
    assert {"page", "sort", "kind", "made_after"} <= accepted_parameters("/claims/")
    api = accepted_parameters("/api/v1/claims/")
    assert {"cursor", "page_size", "search", "ordering", "format", "expand", "updated_since"} <= api
    assert "page" not in api  # cursor pagination
    assert "page" in accepted_parameters("/api/v1/parties/")
    timeline = {"format", "expand", "page", "page_size"}  # page-numbered, as the short lists
    assert accepted_parameters("/api/v1/disputes/case-0/timeline/") == timeline
    assert accepted_parameters("/no/such/page/") is None  # a 404, whatever its query


def test_tracking_parameters_of_a_shared_link_redirect_to_the_page_itself(client, world):
    response = client.get("/claims/?kind=derived_from&utm_source=x&fbclid=abc")
    assert response.status_code == 301 and response["Location"] == "/claims/?kind=derived_from"
    assert client.get("/disputes/case-0/?utm_campaign=a")["Location"] == "/disputes/case-0/"
    assert client.get("/api/v1/claims/?utm_source=x").status_code == 400  # the API takes no detours


def test_editors_get_the_same_400_and_the_admin_is_not_checked(client, world):
    client.force_login(f.editor(username="ada"))
    assert client.get("/claims/?junk=1").status_code == 400
    assert client.get("/admin/claims/claim/?q=Case&o=1").status_code == 200


def test_the_kept_pages_of_a_content_version_stop_at_their_byte_budget(client, world, settings):
    """Free text (``?q=``) makes any number of accepted URLs; past the budget they are rendered for
    their reader and not kept."""
    first = client.get("/search/?q=Case0")
    settings.PAGE_CACHE_BUDGET_BYTES = len(first.content) * 5
    for i in range(1, 20):
        assert client.get(f"/search/?q=Case{i}").status_code == 200
    assert kept_pages() <= 5
    content_changed()  # a new content version has a budget of its own
    assert client.get("/search/?q=Case").status_code == 200
    assert client.get("/search/?q=Case", HTTP_IF_NONE_MATCH="x").status_code == 200
    assert kept_pages() <= 6

"""``slug_url`` gives what ``reverse`` gives, for every slug route, slug and script prefix."""

from __future__ import annotations

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from claims.models.urls import slug_url

ROUTES = ["claims:claim-detail", "claims:dispute-detail", "claims:evidence-detail", "claims:party-detail",
          "claims:aimodel-detail", "claims:report-detail", "claims:dispute-embed"]  # fmt: skip
SLUGS = ["pangu-pro-moe", "B_claim-2", "7", "slug0placeholder0slug"]


@pytest.mark.parametrize("prefix", ["/", "/mounted/under/"])
def test_slug_url_is_reverse(prefix):
    set_script_prefix(prefix)
    try:
        for route in ROUTES:
            for slug in SLUGS:
                assert slug_url(route, slug) == reverse(route, kwargs={"slug": slug}), (route, slug)
    finally:
        set_script_prefix("/")


@pytest.mark.parametrize("slug", ["été", "a b", "", "a/b"])
def test_a_slug_the_route_refuses_is_refused_as_reverse_refuses_it(slug):
    with pytest.raises(NoReverseMatch):
        slug_url("claims:claim-detail", slug)

"""URL wiring: the editors' admin, the public site, the REST API."""

from django.contrib import admin
from django.urls import include, path

from claims.admin.accounts import account_token_view

urlpatterns = [
    # An editor's own API token: an admin page outside any model (before the admin's catch-all).
    path("admin/account/token/", account_token_view, name="account_token"),
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),  # REST API v1, OpenAPI schema and docs (claims/api/)
    path("", include("claims.urls")),
]

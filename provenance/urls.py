"""URL wiring: the editors' admin, the public site, the REST API."""

from django.contrib import admin
from django.urls import include, path

from claims.admin.accounts import account_token_view

# The admin's own routes plus an editor's own API token page, all in the ``admin`` namespace
# (``admin.site.urls`` is this triple without the extra route).
admin_urls = [
    path("account/token/", account_token_view, name="account_token"),
    *admin.site.get_urls(),
]

urlpatterns = [
    path("admin/", (admin_urls, "admin", admin.site.name)),
    path("api/", include("claims.api.urls")),  # REST API v1, OpenAPI schema and docs (claims/api/)
    path("", include("claims.urls")),
]

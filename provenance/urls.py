"""URL wiring: the editors' admin, the public site, the REST API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("claims.api.urls")),  # REST API v1, OpenAPI schema and docs (claims/api/)
    path("", include("claims.urls")),
]

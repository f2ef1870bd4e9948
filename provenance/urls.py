"""URL wiring: the editors' admin, the public site, the REST API."""

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("claims.urls")),
]

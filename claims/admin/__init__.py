"""The editors' tool: one admin module per aggregate, registered on import."""

from django.contrib import admin  # noqa: E402

from claims.admin import accounts, ai_models, claims, disputes, evidence, parties, reports  # noqa: F401

# The admin home shows the editors' desk above the list of models (claims/selectors/desk.py).
admin.site.index_template = "admin/claims/desk_index.html"
admin.site.site_header = "Provenance — editors' desk"
admin.site.site_title = "Provenance admin"
admin.site.index_title = "The desk"

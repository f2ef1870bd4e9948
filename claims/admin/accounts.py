"""Editors' accounts in the admin: the user page gains the editor's public byline (what readers of
the change log see instead of the user name), and every signed-in editor has a page for their own API
token (``account_token_view``, linked from the user tools at the top of each admin page)."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from claims.errors import ProvenanceError
from claims.models import EditorProfile
from claims.services.accounts import (
    account_set_byline,
    account_token_create,
    account_token_revoke,
    accounts_delete,
)

User = get_user_model()


class EditorProfileInline(admin.StackedInline):
    model = EditorProfile
    can_delete = False
    fields = ["byline"]
    verbose_name_plural = "public byline"


class EditorUserAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, EditorProfileInline]
    list_select_related = ["editor_profile"]
    list_display = [*UserAdmin.list_display, "byline"]
    change_form_template = "admin/claims/user_change_form.html"

    def save_formset(self, request, form, formset, change):
        if formset.model is not EditorProfile:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for profile_form in formset.forms:
            if profile_form.has_changed():
                account_set_byline(user=form.instance, byline=profile_form.cleaned_data.get("byline", ""))
                formset.changed_objects.append((profile_form.instance, ["byline"]))
        return None

    def delete_model(self, request, obj):
        accounts_delete(users=[obj])

    def delete_queryset(self, request, queryset):
        accounts_delete(users=list(queryset))

    @admin.display(description="public byline")
    def byline(self, obj):
        profile = getattr(obj, "editor_profile", None)
        return profile.byline if profile and profile.byline else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The link to the token page only on one's own user page: the page shows the requester's token.
        own = str(request.user.pk) == str(object_id)
        return super().change_view(
            request, object_id, form_url, {**(extra_context or {}), "own_account": own}
        )


@require_http_methods(["GET", "POST"])
def _account_token(request):
    """The signed-in editor's own API token: ``/admin/account/token/``, ``admin:account_token``.

    GET says whether they have one and when it was created, never its key. POST ``action=create``
    makes a new one (replacing the old) and answers with the key, shown this once; ``action=revoke``
    deletes it and returns here. Only ever the requester's own token: the page takes no user.
    """
    key = ""
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "revoke":
            if account_token_revoke(user=request.user):
                messages.success(request, "Your API token is revoked: requests with it now get 401.")
            else:
                messages.info(request, "You had no API token.")
            return HttpResponseRedirect(request.path)
        if action != "create":
            return HttpResponseBadRequest("Say action=create or action=revoke.")
        try:
            key = account_token_create(user=request.user)
        except ProvenanceError as exc:
            messages.error(request, str(exc))
            return HttpResponseRedirect(request.path)
    context = {
        **admin.site.each_context(request),
        "title": "Your API token",
        "token": Token.objects.filter(user=request.user).first(),
        "key": key,
        "api_docs_url": reverse("api:docs"),
    }
    return TemplateResponse(request, "admin/claims/account_token.html", context)


# The admin's wrapper: staff only (anyone else goes to the login page), CSRF-protected, never cached
# (the page that shows a key must not be kept by a browser or a proxy).
account_token_view = admin.site.admin_view(_account_token)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, EditorUserAdmin)

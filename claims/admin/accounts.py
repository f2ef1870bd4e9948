"""Editors' accounts in the admin: the user page gains the editor's public byline (what readers of
the change log see instead of the user name)."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from claims.models import EditorProfile

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

    def save_formset(self, request, form, formset, change):
        if formset.model is not EditorProfile:
            return super().save_formset(request, form, formset, change)
        from claims.services.accounts import account_set_byline

        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for profile_form in formset.forms:
            if profile_form.has_changed():
                account_set_byline(user=form.instance, byline=profile_form.cleaned_data.get("byline", ""))
                formset.changed_objects.append((profile_form.instance, ["byline"]))
        return None

    @admin.display(description="public byline")
    def byline(self, obj):
        profile = getattr(obj, "editor_profile", None)
        return profile.byline if profile and profile.byline else "—"


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, EditorUserAdmin)

"""Who may do what: reads are public, writes follow Django model permissions.

Anonymous writes get 401 (the token authenticator's ``WWW-Authenticate`` comes first), an
authenticated user without the model permission 403, an inactive user is not authenticated at all
(DRF's token check and Django's session backend both refuse inactive accounts). Who sees drafts at a
model's own routes is the site's rule (``claims.models.visibility.can_view_drafts``).
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission, DjangoModelPermissions


class ModelPermissionsOrPublicRead(DjangoModelPermissions):
    """GET/HEAD/OPTIONS for everyone (the queryset hides drafts); writes need ``add``/``change``/
    ``delete`` on the model, as the admin does."""

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        return super().has_permission(request, view)


class CanPublish(BasePermission):
    """Publish, unpublish, retract: the model's custom ``publish_<model>`` permission."""

    message = "Your account may not publish, unpublish or retract these records."

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        opts = view.get_queryset().model._meta
        return user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

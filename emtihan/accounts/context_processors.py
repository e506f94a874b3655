from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .models import Role


def site(request):
    """Site URL and the menu flags, computed lazily (only pages that show them ask)."""

    def nav():
        user = request.user
        if not user.is_authenticated:
            return {}
        return {
            "is_teacher": user.has_role(Role.TEACHER),
            "is_head": user.has_role(Role.HEAD),
            "is_registrar": user.is_staff or user.has_role(Role.REGISTRAR),
            "is_student": user.has_role(Role.STUDENT),
            "is_proctor": user.is_staff or user.has_role(Role.PROCTOR),
        }

    return {"SITE_URL": settings.SITE_URL, "nav": SimpleLazyObject(nav)}

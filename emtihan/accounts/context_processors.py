from django.conf import settings
from django.utils.functional import SimpleLazyObject

from emtihan.policy import accounts as roles


def site(request):
    """Site URL and the menu flags (``policy.accounts.menu``), computed lazily (only pages
    that show them ask)."""
    return {
        "SITE_URL": settings.SITE_URL,
        "nav": SimpleLazyObject(lambda: roles.menu(request.user)),
    }

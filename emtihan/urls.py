from django.contrib import admin
from django.urls import include, path

from emtihan.api import api

urlpatterns = [
    path("", include("emtihan.core.urls")),
    path("accounts/", include("emtihan.accounts.urls")),
    path("umkd/", include("emtihan.umkd.urls")),
    path("exam-forms/", include("emtihan.examforms.urls")),
    path("registry/", include("emtihan.university.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

from django.contrib import admin
from django.urls import include, path

from emtihan.accounts import views as accounts_views
from emtihan.api import api

urlpatterns = [
    # First: Django tries the patterns in order, and the exam's API requests (the autosave
    # most of all) are most of what a server answers during a sitting.
    path("api/v1/", api.urls),
    path("", accounts_views.home, name="home"),
    path("", include("emtihan.core.urls")),
    path("accounts/", include("emtihan.accounts.urls")),
    path("umkd/", include("emtihan.umkd.urls")),
    path("exam-forms/", include("emtihan.examforms.urls")),
    path("registry/", include("emtihan.university.urls")),
    path("exams/", include("emtihan.exams.urls")),
    path("sitting/", include("emtihan.attempts.urls")),
    path("proctoring/", include("emtihan.proctoring.urls")),
    path("grading/", include("emtihan.grading.urls")),
    path("i18n/setlang/", accounts_views.set_language, name="set_language"),
    path("admin/", admin.site.urls),
]

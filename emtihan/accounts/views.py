from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import i18n as i18n_views

from emtihan.core import http
from emtihan.core.pages import service_errors
from emtihan.policy import accounts as roles

from . import services, throttle
from .forms import EmailAuthenticationForm, PasswordResetForm, SetPasswordForm, TimeZoneForm
from .models import User


@login_required
def home(request):
    """Send each person to the page they came for (``policy.accounts.landing``); the menu
    has the rest."""
    landing = roles.landing(request.user)
    if landing:
        return redirect(landing)
    return render(request, "accounts/home.html")


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        throttle.remember_device(self.request, response, account=form.get_user().email)
        return response

    def form_invalid(self, form):
        response = super().form_invalid(form)
        refusal = getattr(self.request, "login_refusal", None)
        if refusal is not None:
            response.status_code = 429
            response["Retry-After"] = str(refusal.retry_after)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """ "Forgot password": the mail goes out from a background task, throttled."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        services.password_reset_request(request=self.request, email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = SetPasswordForm


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        messages.success(self.request, _("Your password has been changed."))
        return response


def set_language(request):
    """Django's language switch, which also remembers the choice on the user's account."""
    response = i18n_views.set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    known = language in dict(settings.LANGUAGES)
    if request.method == "POST" and user.is_authenticated and known and user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return response


@login_required
def time_zone(request: HttpRequest) -> HttpResponse:
    """Choose the time zone the pages show dates and times in."""
    next_url = http.next_url(request, reverse("home"))
    user = cast(User, request.user)  # login_required
    form = TimeZoneForm(request.POST or None, initial={"time_zone": user.time_zone})
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as call:
            services.user_time_zone_set(user=user, time_zone=form.cleaned_data["time_zone"])
        if call.ok:
            messages.success(
                request,
                _("Dates and times are now shown in the %(zone)s time zone.")
                % {"zone": user.time_zone or settings.TIME_ZONE},
            )
            return redirect(next_url)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "registration/time_zone.html",
        {"form": form, "next": next_url, "university_zone": settings.TIME_ZONE},
        status=status,
    )

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.utils.translation import gettext_lazy as _

from .forms import EmailAuthenticationForm


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        messages.success(self.request, _("Your password has been changed."))
        return response

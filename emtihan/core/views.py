from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import redirect, render

from emtihan.accounts.models import Role


@login_required
def home(request):
    """Send each person to the page they came for; the menu has the rest."""
    user = request.user
    if user.has_role(Role.TEACHER):
        return redirect("examforms:teacher_list")
    if user.has_role(Role.HEAD):
        return redirect("examforms:review")
    if user.has_role(Role.REGISTRAR) or user.is_staff:
        return redirect("examforms:export")
    if user.has_role(Role.STUDENT):
        return redirect("attempts:home")
    if user.has_role(Role.PROCTOR):
        return redirect("attempts:decisions")
    return render(request, "core/home.html")


def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok", content_type="text/plain")

"""WSGI entry point (gunicorn emtihan.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emtihan.settings")
application = get_wsgi_application()

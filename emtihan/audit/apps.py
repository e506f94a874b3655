from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "emtihan.audit"
    label = "audit"

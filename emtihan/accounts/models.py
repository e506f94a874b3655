"""Users and roles.

People log in with their university e-mail. Roles are Django groups (see ``Role``) so an
administrator can grant them in the admin without code; permission checks in services
ask ``user.has_role(...)`` or look at the domain link (a teacher's assignments, a head's
department) rather than at group names directly.
"""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from functools import cache

from django.contrib.auth.models import AbstractBaseUser, Group, PermissionsMixin
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@cache
def time_zone_names() -> frozenset[str]:
    """The IANA time zones this server knows (its tzdata), e.g. "Asia/Almaty"."""
    return frozenset(zoneinfo.available_timezones())


class Role(models.TextChoices):
    STUDENT = "student", _("Student")
    TEACHER = "teacher", _("Teacher")
    HEAD = "head", _("Head of department")
    PROCTOR = "proctor", _("Proctor")
    GRADER = "grader", _("Grader")
    REGISTRAR = "registrar", _("Registrar")


class UserManager(DjangoUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):  # type: ignore[override]
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):  # type: ignore[override]
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):  # type: ignore[override]
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in: student, teacher, head, proctor, grader or registrar."""

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    language = models.CharField(_("interface language"), max_length=8, blank=True)
    # An IANA name such as "Europe/Moscow"; empty: the university's (settings.TIME_ZONE).
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    # Set when the registry (not the person) chose the password, e.g. a student ID.
    must_change_password = models.BooleanField(_("must change password"), default=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []  # noqa: RUF012 (Django's own declaration)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def has_role(self, role: str) -> bool:
        if not self.is_authenticated or not self.is_active:
            return False
        cache = getattr(self, "_role_cache", None)
        if cache is None:
            cache = set(self.groups.values_list("name", flat=True))
            self._role_cache = cache
        return role in cache

    def add_role(self, role: str) -> None:
        group, _created = Group.objects.get_or_create(name=role)
        self.groups.add(group)
        self.__dict__.pop("_role_cache", None)


class ApiToken(models.Model):
    """A bearer token for integrations calling the JSON API on behalf of a user.

    Only the SHA-256 of the token is stored; the token itself is shown once at creation.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple[ApiToken, str]:
        key = "emt_" + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, key_hash=cls.hash_key(key), prefix=key[:8])
        return token, key


class ThrottleEvent(models.Model):
    """One event the log-in and "Forgot password" throttles count (accounts/throttle.py).

    Rows older than the throttle's window are deleted as new ones are written; deleting
    rows in the admin lifts a lock at once.
    """

    class Kind(models.TextChoices):
        LOGIN_FAILURE = "login_failure", _("failed log-in")
        PASSWORD_RESET = "password_reset", _("password reset request")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("time"), default=timezone.now)
    # The e-mail as typed (lower-case), whether or not an account has it: an unknown
    # address is throttled like a known one, so the answers do not tell them apart.
    account = models.CharField(_("e-mail"), max_length=254)
    # The client's address (an IPv6 address as its /64 network); see throttle.client_ip.
    ip = models.CharField(_("IP address"), max_length=64)
    # A device that has logged in to this account before (its cookie's id), else empty.
    device = models.CharField(_("known device"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("throttled attempt")
        verbose_name_plural = _("throttled attempts")
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["kind", "account", "at"], name="throttle_account"),
            models.Index(fields=["kind", "ip", "at"], name="throttle_ip"),
            models.Index(fields=["at"], name="throttle_at"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.account} from {self.ip}"

"""Log-in and "Forgot password" throttling.

The rules (docs/OPERATIONS.md, "Log-in throttling" and "Forgot password") in short:

- The client's address is ``REMOTE_ADDR``, or, behind ``TRUSTED_PROXY_COUNT`` reverse
  proxies, the address the outermost of them saw, read from ``CLIENT_IP_HEADER``
  (``client_ip``). An IPv6 address counts as its /64 network (one subscriber's share).
- Failed log-ins are counted over a sliding window of ``LOGIN_COOLOFF_MINUTES``, per
  account (``LOGIN_FAILURE_LIMIT``) and per client address over all accounts
  (``LOGIN_IP_FAILURE_LIMIT``: one password sprayed over many accounts). A refused attempt
  checks no password and is not counted, so hammering a locked account does not prolong
  the lock.
- A device that has logged in to the account before carries a signed cookie naming it
  (``remember_device``). Others' failures never lock it out: its attempts are counted only
  against its own failures on that account (``LOGIN_FAILURE_LIMIT`` again), so the student
  whose account a classmate locked still logs in from their own laptop or phone.
- A successful log-in clears the failures it made itself (from that device, or from that
  address without a known device), not other people's.
- "Forgot password" mails are counted per e-mail and per address (``PASSWORD_RESET_LIMIT``,
  ``PASSWORD_RESET_IP_LIMIT`` per ``PASSWORD_RESET_WINDOW_MINUTES``), whether or not the
  account exists, so the page's answer tells nothing about the account.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext_lazy

from .models import ThrottleEvent

# The number of minutes picks the plural form: ERR_TOO_MANY_LOGINS % {"minutes": n}.
ERR_TOO_MANY_LOGINS = ngettext_lazy(
    "Too many failed log-in attempts. Try again in %(minutes)s minute, or ask the "
    "registrar's office to unlock the account.",
    "Too many failed log-in attempts. Try again in %(minutes)s minutes, or ask the "
    "registrar's office to unlock the account.",
    "minutes",
)

DEVICE_COOKIE = "emtihan_device"
_DEVICE_SALT = "emtihan.accounts.throttle.device"
# A shared computer (a lab's) remembers this many accounts, the most recent first.
_DEVICE_ACCOUNTS = 20


@dataclass(frozen=True)
class Refusal:
    """The attempt is refused; it may be tried again after ``retry_after`` seconds."""

    retry_after: int

    @property
    def minutes(self) -> int:
        return max(1, math.ceil(self.retry_after / 60))

    def message(self) -> str:
        return ERR_TOO_MANY_LOGINS % {"minutes": self.minutes}


def normalize_account(value: str | None) -> str:
    """The e-mail as the throttle counts it: e-mails are matched without case."""
    return (value or "").strip().lower()[:254]


def client_ip(request: HttpRequest) -> str:
    """The address of the browser, as far as this server can trust it.

    With TRUSTED_PROXY_COUNT = N > 0 each of the N proxies in front of emtihan appends the
    address it received the request from to CLIENT_IP_HEADER (X-Forwarded-For), so the
    N-th entry from the right is the one the outermost proxy saw. Entries further left
    came from the browser and may be forged; they are never read. A header with fewer
    entries, or an entry that is not an address, falls back to REMOTE_ADDR.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    chosen = remote
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        header = "HTTP_" + settings.CLIENT_IP_HEADER.upper().replace("-", "_")
        entries = [e.strip() for e in request.META.get(header, "").split(",") if e.strip()]
        if len(entries) >= count:
            chosen = entries[-count]
    for candidate in (chosen, remote):
        try:
            address = ipaddress.ip_address(candidate)
        except ValueError:
            continue
        if address.version == 6:
            if address.ipv4_mapped:
                return str(address.ipv4_mapped)
            return str(ipaddress.ip_network(f"{address}/64", strict=False))
        return str(address)
    return "unknown"


# --- devices that have logged in before -------------------------------------------------


def _account_tag(account: str) -> str:
    return salted_hmac(_DEVICE_SALT, account).hexdigest()[:16]


def _device_cookie(request: HttpRequest) -> dict | None:
    raw = request.COOKIES.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        value = signing.loads(
            raw, salt=_DEVICE_SALT, max_age=dt.timedelta(days=settings.LOGIN_DEVICE_DAYS)
        )
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("d"), str):
        return None
    if not isinstance(value.get("a"), list):
        return None
    return value


def known_device(request: HttpRequest, account: str) -> str:
    """The id of this browser if it has logged in to ``account`` before, else ""."""
    cookie = _device_cookie(request)
    if cookie is None or _account_tag(normalize_account(account)) not in cookie["a"]:
        return ""
    return cookie["d"][:32]


def remember_device(request: HttpRequest, response: HttpResponse, *, account: str) -> None:
    """After a successful log-in: this browser is now a known device of ``account``."""
    cookie = _device_cookie(request) or {"d": secrets.token_hex(16), "a": []}
    tag = _account_tag(normalize_account(account))
    tags = [tag] + [t for t in cookie["a"] if t != tag and isinstance(t, str)]
    value = signing.dumps({"d": cookie["d"], "a": tags[:_DEVICE_ACCOUNTS]}, salt=_DEVICE_SALT)
    response.set_cookie(
        DEVICE_COOKIE,
        value,
        max_age=settings.LOGIN_DEVICE_DAYS * 24 * 3600,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


# --- counting ---------------------------------------------------------------------------


def _refusal(
    events: QuerySet[ThrottleEvent], limit: int, window: dt.timedelta, now: dt.datetime
) -> Refusal | None:
    """Refuse while ``limit`` or more of ``events`` lie within the window: until the
    limit-th most recent of them leaves it."""
    if limit <= 0:
        return None
    times = list(events.order_by("-at").values_list("at", flat=True)[:limit])
    if len(times) < limit:
        return None
    free_at = times[limit - 1] + window
    return Refusal(retry_after=max(1, math.ceil((free_at - now).total_seconds())))


def _longest(*refusals: Refusal | None) -> Refusal | None:
    found = [r for r in refusals if r is not None]
    return max(found, key=lambda r: r.retry_after) if found else None


def _record(kind: str, *, request: HttpRequest, account: str, device: str, window) -> None:
    now = timezone.now()
    ThrottleEvent.objects.create(
        kind=kind, at=now, account=account, ip=client_ip(request), device=device
    )
    # Nothing older than the window is ever counted again.
    ThrottleEvent.objects.filter(kind=kind, at__lt=now - window).delete()


def _login_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def login_refusal(*, request: HttpRequest, account: str) -> Refusal | None:
    """Whether a log-in to ``account`` from this request is refused without checking the
    password (see the module's rules)."""
    account = normalize_account(account)
    now = timezone.now()
    window = _login_window()
    failures = ThrottleEvent.objects.filter(
        kind=ThrottleEvent.Kind.LOGIN_FAILURE, at__gte=now - window
    )
    limit = settings.LOGIN_FAILURE_LIMIT
    device = known_device(request, account)
    if device:
        return _refusal(failures.filter(account=account, device=device), limit, window, now)
    return _longest(
        _refusal(failures.filter(account=account, device=""), limit, window, now),
        _refusal(
            failures.filter(ip=client_ip(request), device=""),
            settings.LOGIN_IP_FAILURE_LIMIT,
            window,
            now,
        ),
    )


def login_failed(*, request: HttpRequest, account: str) -> None:
    """Count a wrong password (or an unknown e-mail) for ``account`` from this request."""
    account = normalize_account(account)
    _record(
        ThrottleEvent.Kind.LOGIN_FAILURE,
        request=request,
        account=account,
        device=known_device(request, account),
        window=_login_window(),
    )


def login_succeeded(*, request: HttpRequest, account: str) -> None:
    """Forget the failures this person made on the way in (not other people's)."""
    account = normalize_account(account)
    device = known_device(request, account)
    own = ThrottleEvent.objects.filter(kind=ThrottleEvent.Kind.LOGIN_FAILURE, account=account)
    own = own.filter(device=device) if device else own.filter(ip=client_ip(request), device="")
    own.delete()


def unlock(*, account: str = "", ip: str = "") -> int:
    """Lift the locks on an e-mail and/or an address at once; returns the rows removed."""
    events = ThrottleEvent.objects.filter(kind=ThrottleEvent.Kind.LOGIN_FAILURE)
    if not account and not ip:
        return 0
    if account:
        events = events.filter(account=normalize_account(account))
    if ip:
        events = events.filter(ip=ip)
    deleted, _by_model = events.delete()
    return deleted


# --- "Forgot password" ------------------------------------------------------------------


def _reset_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES)


def password_reset_allowed(*, request: HttpRequest, account: str) -> bool:
    """Whether a mail may be sent for this "Forgot password" request; counts it if so.

    The page answers the same either way, known address or not. A refused request is not
    counted: the mails an attacker can trigger all go to the account's own inbox, and each
    carries a working link, so the owner is never kept from resetting.
    """
    account = normalize_account(account)
    now = timezone.now()
    window = _reset_window()
    requests = ThrottleEvent.objects.filter(
        kind=ThrottleEvent.Kind.PASSWORD_RESET, at__gte=now - window
    )
    refused = _longest(
        _refusal(requests.filter(account=account), settings.PASSWORD_RESET_LIMIT, window, now),
        _refusal(
            requests.filter(ip=client_ip(request)),
            settings.PASSWORD_RESET_IP_LIMIT,
            window,
            now,
        ),
    )
    if refused is not None:
        return False
    _record(
        ThrottleEvent.Kind.PASSWORD_RESET,
        request=request,
        account=account,
        device="",
        window=window,
    )
    return True

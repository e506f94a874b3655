"""Passwords in production: argon2id at OWASP's minimum, older hashes upgraded at log-in.

The suite hashes with MD5 for speed (settings_test.py); these tests switch to the
production hasher list of settings.py.
"""

from __future__ import annotations

import multiprocessing
import threading
import time

import argon2
import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, check_password, make_password
from django.test import override_settings
from django.urls import reverse

from emtihan.accounts.hashers import Argon2idPasswordHasher
from emtihan.accounts.models import User
from emtihan.settings import PASSWORD_HASHERS as PRODUCTION_HASHERS

EMAIL = "student@test.local"
PASSWORD = "a-long-password-2026"
# OWASP Password Storage Cheat Sheet: argon2id, 19 MiB, 2 iterations, 1 degree of parallelism.
ARGON2ID = "argon2$argon2id$v=19$m=19456,t=2,p=1$"

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("production_hashers")]


@pytest.fixture
def production_hashers():
    with override_settings(PASSWORD_HASHERS=PRODUCTION_HASHERS):
        yield


class WeakArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 8 * 1024
    parallelism = 1


def user_with_hash(encoded: str) -> User:
    user = User.objects.create_user(email=EMAIL, full_name="A Student")
    User.objects.filter(pk=user.pk).update(password=encoded)
    return user


def log_in(client, password: str):
    return client.post(reverse("login"), {"username": EMAIL, "password": password})


def stored_hash(user: User) -> str:
    user.refresh_from_db()
    return user.password


def test_a_new_password_is_hashed_with_argon2id_at_owasps_parameters():
    encoded = make_password(PASSWORD)

    assert encoded.startswith(ARGON2ID)
    params = argon2.extract_parameters(encoded.removeprefix("argon2"))
    assert params.type is argon2.Type.ID
    assert (params.memory_cost, params.time_cost, params.parallelism) == (19456, 2, 1)
    assert check_password(PASSWORD, encoded)
    assert not check_password("wrong", encoded)


def test_a_user_with_a_pbkdf2_hash_logs_in_and_is_rehashed_with_argon2id(client):
    user = user_with_hash(make_password(PASSWORD, hasher="pbkdf2_sha256"))
    assert stored_hash(user).startswith("pbkdf2_sha256$1000000$")

    response = log_in(client, PASSWORD)

    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user == user
    encoded = stored_hash(user)
    assert encoded.startswith(ARGON2ID)
    assert check_password(PASSWORD, encoded)


def test_a_wrong_password_does_not_rehash(client):
    user = user_with_hash(make_password(PASSWORD, hasher="pbkdf2_sha256"))
    before = stored_hash(user)

    response = log_in(client, "not-the-password")

    assert response.status_code == 200
    assert stored_hash(user) == before


def test_an_argon2_hash_with_weaker_parameters_is_upgraded_at_log_in(client):
    weak = WeakArgon2PasswordHasher()
    user = user_with_hash(weak.encode(PASSWORD, weak.salt()))
    assert stored_hash(user).startswith("argon2$argon2id$v=19$m=8192,t=1,p=1$")

    response = log_in(client, PASSWORD)

    assert response.status_code == 302
    assert stored_hash(user).startswith(ARGON2ID)


def test_a_current_hash_is_kept_at_log_in(client):
    user = user_with_hash(make_password(PASSWORD))
    before = stored_hash(user)

    assert log_in(client, PASSWORD).status_code == 302
    assert stored_hash(user) == before


def test_checks_run_on_the_few_checking_threads_whatever_calls_them(monkeypatch):
    # The memory bound (hashers.py): however many request threads check at once, argon2
    # runs on at most PASSWORD_CHECK_THREADS threads, one check each.
    running, most, seen = 0, 0, set()
    lock = threading.Lock()
    real_verify = Argon2PasswordHasher.verify

    def counted_verify(self, password, encoded):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            seen.add(threading.current_thread().name)
        time.sleep(0.02)  # long enough for the request threads to pile up
        try:
            return real_verify(self, password, encoded)
        finally:
            with lock:
                running -= 1

    monkeypatch.setattr(Argon2PasswordHasher, "verify", counted_verify)
    hasher = Argon2idPasswordHasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def request() -> None:
        barrier.wait()
        results.append(hasher.verify(PASSWORD, encoded))

    requests = [threading.Thread(target=request) for _ in range(8)]
    for r in requests:
        r.start()
    for r in requests:
        r.join()

    assert results == [True] * 8
    assert 1 <= most <= settings.PASSWORD_CHECK_THREADS
    assert seen and all(name.startswith("password-check") for name in seen)


def _check_in_child(encoded: str) -> None:
    assert Argon2idPasswordHasher().verify(PASSWORD, encoded)


def test_a_process_forked_after_a_check_checks_too():
    # A server forks its workers from a parent that may have checked a password: the
    # child has none of the parent's checking threads, and must not wait for them.
    hasher = Argon2idPasswordHasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    assert hasher.verify(PASSWORD, encoded)  # the parent's pool exists now

    child = multiprocessing.get_context("fork").Process(target=_check_in_child, args=(encoded,))
    child.start()
    child.join(timeout=30)
    if child.is_alive():
        child.kill()
        child.join()

    assert child.exitcode == 0

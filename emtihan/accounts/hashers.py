"""The password hasher: argon2id at OWASP's minimum, sized for a 2-core server.

Django's own Argon2PasswordHasher asks for 100 MiB and 8 lanes per check: on 2 cores the
8 lanes buy nothing, and each of a server's threads checking at once would hold 100 MiB.
OWASP's Password Storage Cheat Sheet lists equally strong argon2id settings that trade
memory for passes; this one (19 MiB, 2 passes, 1 lane) is the cheapest in memory that
still makes 2 passes. docs/OPERATIONS.md, "Passwords", has the reasoning and the measured
cost (bench/login_cost.py).

The algorithm name stays Django's ``argon2``, so this hasher verifies every argon2 hash,
whatever its parameters, and Django's ``must_update`` rehashes one whose parameters
differ from these at the next successful log-in. To raise the cost later, change the
three numbers below: every user is rehashed as they log in.
"""

from __future__ import annotations

import os
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    time_cost = 2  # passes over the memory
    memory_cost = 19 * 1024  # KiB: 19 MiB per check
    parallelism = 1  # lanes: one thread per check; the server's threads use the cores

    # Every hash and check runs on the process's few checking threads (_checking_pool).
    def encode(self, password, salt):
        return _checking_pool().submit(super().encode, password, salt).result()

    def verify(self, password, encoded):
        return _checking_pool().submit(super().verify, password, encoded).result()


# Why a pool: argon2 mallocs its 19 MiB afresh for each check, and glibc keeps what a
# thread freed in that thread's arena rather than giving it back. A server whose 8 threads
# all logged someone in would hold 8 x 19 MiB per process for good, and need as much again
# at a burst of simultaneous log-ins (measured: BENCHMARKS.md, "Logins"). Checks queued for
# PASSWORD_CHECK_THREADS threads (2, the cores) bound both to 2 x 19 MiB per process and
# cost no throughput: more checks at once than cores only share the same CPU.
_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _checking_pool() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(
                max_workers=settings.PASSWORD_CHECK_THREADS, thread_name_prefix="password-check"
            )
        return _pool


def _forget_pool_after_fork() -> None:
    # A forked child (a server's worker forked after a check in its parent) has none of
    # the parent's threads: it starts its own pool, with a lock no thread holds.
    global _pool, _pool_lock
    _pool = None
    _pool_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_pool_after_fork)

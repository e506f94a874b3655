"""What a log-in's password check costs: CPU seconds per check and memory, for Django's
PBKDF2 default and the argon2id hasher emtihan uses (emtihan/accounts/hashers.py).

Each round verifies the right password against a stored hash, as a log-in does, a few
times with one hasher and then the other (a, b, a, b, ...); a check's cost is the round's
CPU time (time.process_time) over its checks, and the figure is the median over rounds, so
the two are measured under the same load on a shared machine. From the argon2id figure:
the checks 2 cores can make a second, and the share of 2 cores that 5,000 log-ins in the
15 minutes before an exam need.

Memory: argon2 allocates its memory in C, where tracemalloc does not look, so a fresh
process reports its peak resident memory (getrusage's ru_maxrss) before and after one
check, and after THREADS threads checked at the same moment (a server's threads logging
several students in at once), and what it still holds after they finished.

    flock /tmp/emtihan-bench.lock .venv/bin/python bench/login_cost.py --rounds 7
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

from django.contrib.auth.hashers import Argon2PasswordHasher, PBKDF2PasswordHasher
from django.utils.module_loading import import_string

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # measure this checkout's code, not another installed copy

PASSWORD = "correct horse battery staple"  # noqa: S105 (a benchmark's own input)
LOGINS = 5000
WINDOW_S = 15 * 60
CORES = 2


def hashers():
    """The PBKDF2 hasher Django uses by default, and the first of emtihan's production
    PASSWORD_HASHERS (the one that hashes new passwords)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emtihan.settings")
    # The production settings need a secret key; this process signs nothing.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    from django.conf import settings

    return PBKDF2PasswordHasher(), import_string(settings.PASSWORD_HASHERS[0])()


def cpu_per_check(hasher, encoded: str, checks: int) -> float:
    started = time.process_time()
    for _ in range(checks):
        if not hasher.verify(PASSWORD, encoded):
            raise AssertionError("the right password did not verify")
    return (time.process_time() - started) / checks


def memory_kib() -> dict[str, int]:
    """This process's resident memory now (VmRSS) and at its peak (VmHWM), in KiB."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            name, value = line.split(":")
            values[name] = int(value.split()[0])
    return values


def memory_child(encoded: str, threads: int, pooled: bool) -> dict:
    """In a fresh process: the peak memory of one check, then of THREADS request threads
    checking at the same moment, and what the process still holds after they finished.
    ``pooled``: through emtihan's hasher (its checking threads); otherwise Django's own
    Argon2PasswordHasher.verify with the same parameters, on the calling thread."""
    _, argon2 = hashers()
    argon2._load_library()  # imports argon2 and its C library before the baseline
    verify = argon2.verify if pooled else partial(Argon2PasswordHasher.verify, argon2)
    # The peak (VmHWM) starts again from the current resident memory (Linux >= 4.0).
    Path("/proc/self/clear_refs").write_text("5")
    before = memory_kib()["VmRSS"]
    assert verify(PASSWORD, encoded)
    one = memory_kib()["VmHWM"] - before
    barrier = threading.Barrier(threads)

    def check() -> None:
        barrier.wait()
        assert verify(PASSWORD, encoded)

    workers = [threading.Thread(target=check) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    after = memory_kib()
    return {
        "one_check_peak_kib": one,
        "concurrent_peak_kib": after["VmHWM"] - before,
        "held_after_kib": after["VmRSS"] - before,
    }


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="rounds of each hasher")
    parser.add_argument("--pbkdf2-checks", type=int, default=3, help="checks per round")
    parser.add_argument("--argon2-checks", type=int, default=10, help="checks per round")
    parser.add_argument("--threads", type=int, default=8, help="concurrent checks (memory)")
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    parser.add_argument("--how", choices=("pooled", "direct"), help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.memory_child:
        pooled = args.how == "pooled"
        print(json.dumps(memory_child(args.memory_child, args.threads, pooled)))
        return 0

    pbkdf2, argon2 = hashers()
    stored = {
        "pbkdf2": pbkdf2.encode(PASSWORD, pbkdf2.salt()),
        "argon2id": argon2.encode(PASSWORD, argon2.salt()),
    }
    checks = {"pbkdf2": args.pbkdf2_checks, "argon2id": args.argon2_checks}
    by = {"pbkdf2": pbkdf2, "argon2id": argon2}
    costs: dict[str, list[float]] = {"pbkdf2": [], "argon2id": []}
    for _ in range(args.rounds):
        for name in ("pbkdf2", "argon2id"):
            costs[name].append(cpu_per_check(by[name], stored[name], checks[name]))

    memory = {}
    for how in ("pooled", "direct"):
        child = subprocess.run(  # noqa: S603 (this script again, with its own hash)
            [
                sys.executable,
                __file__,
                "--memory-child",
                stored["argon2id"],
                "--how",
                how,
                "--threads",
                str(args.threads),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        memory[how] = json.loads(child.stdout)

    rate_needed = LOGINS / WINDOW_S
    median = {name: statistics.median(values) for name, values in costs.items()}
    load = os.getloadavg()
    print(f"date (UTC): {time.strftime('%Y-%m-%d %H:%M', time.gmtime())}")
    print(f"machine: nproc {os.cpu_count()}, {cpu_model()}; load average {load[0]:.2f}")
    print(f"pbkdf2: {pbkdf2.algorithm}, {pbkdf2.iterations:,} iterations")
    print(
        f"argon2id: {stored['argon2id'].split('$')[3]} "
        f"(time_cost={argon2.time_cost}, memory_cost={argon2.memory_cost} KiB, "
        f"parallelism={argon2.parallelism})"
    )
    print(f"rounds: {args.rounds} of each, interleaved; checks per round: {checks}")
    for name in ("pbkdf2", "argon2id"):
        per_round = ", ".join(f"{v * 1000:.1f}" for v in costs[name])
        print(
            f"{name:9s} CPU ms per check: median {median[name] * 1000:.1f} "
            f"(min {min(costs[name]) * 1000:.1f}, max {max(costs[name]) * 1000:.1f}; "
            f"rounds: {per_round})"
        )
    ratios = [a / p for a, p in zip(costs["argon2id"], costs["pbkdf2"], strict=True)]
    print(f"argon2id / pbkdf2 per round: median {statistics.median(ratios):.3f}")
    for name in ("pbkdf2", "argon2id"):
        rate = CORES / median[name]
        share = rate_needed * median[name] / CORES
        fits = "fits" if share < 1 else "does NOT fit"
        print(
            f"{name:9s} on {CORES} cores: {rate:.0f} checks/s; {LOGINS:,} log-ins in "
            f"{WINDOW_S // 60} min ({rate_needed:.2f}/s) take {share:.1%} of {CORES} cores: {fits}"
        )
    labels = {
        "pooled": "emtihan's hasher (checking threads)",
        "direct": "Django's Argon2PasswordHasher.verify, same parameters",
    }
    for how, label in labels.items():
        m = memory[how]
        print(
            f"argon2id memory, {label}, fresh process (VmHWM/VmRSS): one check "
            f"+{m['one_check_peak_kib'] / 1024:.1f} MiB peak; {args.threads} threads at once "
            f"+{m['concurrent_peak_kib'] / 1024:.1f} MiB peak, "
            f"+{m['held_after_kib'] / 1024:.1f} MiB still held after"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

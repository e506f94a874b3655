"""`make demo`: migrate the SQLite database, load the demo data, serve on $PORT.

Runs the background-task worker beside the web server and stops both on Ctrl+C.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def manage(*args: str) -> None:
    subprocess.run([PY, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


def main() -> int:
    port = os.environ.get("PORT", "8000")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emtihan.settings")
    os.environ.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
    (ROOT / "data").mkdir(exist_ok=True)
    # emtihan refuses to start without a secret key of its own (DEBUG is off here, as in
    # production): generate one for this demo, once, and keep it beside its database.
    key_file = ROOT / "data" / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        key_file.chmod(0o600)
    if not os.environ.get("SECRET_KEY"):
        os.environ.setdefault("SECRET_KEY_FILE", str(key_file))
    print("==> Preparing the database (SQLite in data/)…", flush=True)
    manage("migrate", "--no-input", "-v", "0")
    print("==> Loading demo data…", flush=True)
    manage("demo_seed")
    # Static files from staticfiles/ through WhiteNoise, gzipped as in production.
    print("==> Collecting static files…", flush=True)
    manage("collectstatic", "--no-input", "-v", "0")
    worker = subprocess.Popen(
        [PY, str(ROOT / "manage.py"), "db_worker", "--interval", "1"], cwd=ROOT
    )
    print(f"\n==> emtihan is running at http://127.0.0.1:{port}/  (Ctrl+C stops it)\n", flush=True)
    server = subprocess.Popen(
        [PY, str(ROOT / "manage.py"), "runserver", f"127.0.0.1:{port}", "--nostatic", "--noreload"],
        cwd=ROOT,
    )
    try:
        return server.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for proc in (server, worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()


if __name__ == "__main__":
    sys.exit(main())

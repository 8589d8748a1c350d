"""The national-scale benchmark (issue 13 item 4; docs/decisions/0025-benchmarking-at-scale.md).

    make bench-national SCALE=0.1                      # a throwaway PostgreSQL, seeded here
    DATABASE_URL=postgres://…/scale01 make bench-national   # a database seed_scale loaded

With DATABASE_URL naming a PostgreSQL database loaded by `seed_scale`, the script clones it
(`CREATE DATABASE … TEMPLATE`, so the benchmark's sign-ins and batch jobs never write to it);
with none, it starts a throwaway cluster (.ci/with-postgres) and seeds `--scale` into it. Then:

1. query counts (and one in-process request's time) per page at two scales: this database
   and a small one seeded at `--small-scale`;
2. the production web server from the Procfile (gunicorn, deploy/gunicorn.conf.py, 2 workers,
   DEBUG off, on 127.0.0.1) with the anchors mounted (CF_BENCH_ANCHORS=1), loaded by wrk page by
   page: p50/p95/p99 and requests/s, "warm" (the public page cache as deployed) and "cold"
   (a second server whose public pages are never cached, CF_PUBLIC_CACHE_SECONDS=0), each
   reported as a ratio to the trivial view measured on the same server in the same run;
3. the batch jobs on a clone: sync_permissions, a real deadline sweep, the same sweep again
   with nothing left to do, and a bank-holiday recompute — wall time and peak RSS.

It prints a Markdown report (and writes it to --out). Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import psycopg
from pages import PAGES  # bench/pages.py (this script's folder is on sys.path)

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BIN = Path(PYTHON).parent
STATIC_ROOT = ROOT / "var" / "bench-static"  # collectstatic's output, as a deployment has it
NATIONAL_TOPICS = 150_000  # topics at S=1.0 (scrutiny/demo/scale.py NATIONAL)
SECRET = "bench-national-secret-key-not-for-production-0123456789abcdef"
LUA = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "CFBENCH requests=%d duration_us=%d status_errors=%d socket_errors=%d "
    .. "p50_us=%d p95_us=%d p99_us=%d\n",
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def log(message: str) -> None:
    print(f"bench-national: {message}", file=sys.stderr, flush=True)


# --- Databases ---------------------------------------------------------------------------------


def with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urllib.parse.urlsplit(url).path.lstrip("/")


def admin_sql(url: str, sql: str, *, retry_seconds: int = 0):
    """Run `sql` on the server's `postgres` database (autocommit); retried while the template
    database is in use (CREATE DATABASE … TEMPLATE needs it idle)."""
    deadline = time.monotonic() + retry_seconds
    while True:
        try:
            with psycopg.connect(with_database(url, "postgres"), autocommit=True) as conn:
                cursor = conn.execute(sql)
                return cursor.fetchall() if cursor.description else None
        except psycopg.errors.ObjectInUse:
            if time.monotonic() > deadline:
                raise
            time.sleep(2)


def topic_count(url: str) -> int:
    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM scrutiny_topic").fetchone()[0]
    except psycopg.errors.UndefinedTable:
        return 0


def clone(url: str, name: str) -> str:
    source = database_name(url)
    admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')
    log(f"cloning {source} as {name}")
    admin_sql(url, f'CREATE DATABASE "{name}" TEMPLATE "{source}"', retry_seconds=300)
    return with_database(url, name)


def drop(url: str) -> None:
    admin_sql(url, f'DROP DATABASE IF EXISTS "{database_name(url)}" WITH (FORCE)')


def base_env(url: str, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CF_ENV", "DEBUG")}
    env.update(
        DATABASE_URL=url,
        PYTHONPATH=str(ROOT),
        SECRET_KEY=SECRET,
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SITE_URL="https://127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        CF_API_RATE_KEY="1000000/min",
        CF_API_RATE_USER="1000000/min",
        CF_API_RATE_PUBLIC="1000000/min",
        CF_BENCH_ANCHORS="1",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=str(STATIC_ROOT),
        DEMO_PASSWORD=os.environ.get("DEMO_PASSWORD") or "bench-national-password",
    )
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(url: str, *args: str, timed=False, check=True, timeout=None, **env_extra):
    """Run manage.py; with `timed`, under /usr/bin/time -v. Returns (seconds, peak MB, output);
    past `timeout` seconds the whole process group is killed and the output says so."""
    command = [PYTHON, str(ROOT / "manage.py"), *args]
    if timed and Path("/usr/bin/time").exists():
        command = ["/usr/bin/time", "-v", *command]
    started = time.monotonic()
    process = subprocess.Popen(
        command, env=base_env(url, **env_extra), cwd=ROOT, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        stdout, stderr = process.communicate()
        stderr += f"\ntimed out after {timeout} s (killed)"
    seconds = time.monotonic() - started
    if check and process.returncode != 0:
        sys.stderr.write(stdout + stderr)
        raise SystemExit(f"bench-national: manage.py {' '.join(args)} failed")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stderr)
    peak_mb = int(peak.group(1)) / 1024 if peak else float("nan")
    return seconds, peak_mb, stdout, stderr


def seed_into(url: str, scale: float) -> None:
    log(f"migrating {database_name(url)} and seeding S={scale}")
    manage(url, "migrate", "--noinput", "-v0")
    manage(url, "createcachetable")
    seconds, peak, _, _ = manage(url, "seed_scale", "--scale", str(scale), timed=True)
    log(f"seeded S={scale} in {seconds:.0f} s (peak {peak:.0f} MB)")


def helper(url: str, mode: str, **env_extra) -> dict:
    """bench/national_django.py (`--prepare`, `--count-queries`) on `url`: its JSON answer."""
    done = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "national_django.py"), mode],
        env=base_env(url, **env_extra),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"bench-national: {mode} failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- The server and the load generator ---------------------------------------------------------


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("installing wrk (apt-get install -y wrk)")
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
                       stdout=subprocess.DEVNULL)  # fmt: skip
        found = shutil.which("wrk")
    if not found:
        raise SystemExit(
            "bench-national: wrk is needed: sudo apt-get install wrk "
            "(or build it from https://github.com/wg/wrk)"
        )
    return found


def procfile_web() -> list[str]:
    """The `web:` line of the Procfile: the production server as deployed."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.startswith("web:"):
            return shlex.split(line.removeprefix("web:"))
    raise SystemExit("bench-national: no web: line in the Procfile")


class Server:
    def __init__(self, url: str, port: int, cache_seconds: int, logdir: Path, args_timeout=120):
        self.port = port
        command = procfile_web()
        command[0] = str(BIN / command[0])
        env = base_env(
            url,
            HOST="127.0.0.1",
            PORT=port,
            WEB_CONCURRENCY=2,
            GUNICORN_MAX_REQUESTS=0,  # no restarts mid-run (the deployed default restarts)
            GUNICORN_TIMEOUT=args_timeout,  # slow pages at scale finish rather than 502
            CF_PUBLIC_CACHE_SECONDS=cache_seconds,
            PATH=f"{BIN}:{os.environ.get('PATH', '')}",
        )
        self.log = open(logdir / f"gunicorn-{port}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if self.get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise SystemExit(f"bench-national: gunicorn exited; see {self.log.name}")
            time.sleep(0.5)
        raise SystemExit("bench-national: gunicorn did not answer /healthz in 120 s")

    def get(self, path: str, headers: dict | None = None):
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", headers=headers or {}
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, dict(exc.headers), exc.read()

    def worker_rss_mb(self) -> list[float]:
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True
        ).stdout.split()
        sizes = []
        for pid in children:
            status = Path(f"/proc/{pid}/status").read_text()
            rss = re.search(r"VmRSS:\s+(\d+) kB", status)
            if rss:
                sizes.append(int(rss.group(1)) / 1024)
        return sizes

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def wrk_run(wrk, lua: Path, server: Server, path: str, headers: dict, args, seconds) -> dict:
    """wrk on one page for `seconds` (at least 5 × its first request's time, capped)."""
    command = [wrk, "-t1", f"-c{args.connections}", f"-d{seconds}s", "--timeout", "60s"]
    command += ["-s", str(lua)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(f"http://127.0.0.1:{server.port}{path}")
    out = subprocess.run(command, capture_output=True, text=True).stdout
    line = next((x for x in out.splitlines() if x.startswith("CFBENCH")), "")
    values = dict(kv.split("=") for kv in line.split()[1:])
    if not values:
        raise SystemExit(f"bench-national: wrk said\n{out}")
    n, seconds = int(values["requests"]), int(values["duration_us"]) / 1e6
    return {
        "requests": n,
        "rps": n / seconds if seconds else 0.0,
        "p50": int(values["p50_us"]) / 1000,
        "p95": int(values["p95_us"]) / 1000,
        "p99": int(values["p99_us"]) / 1000,
        "errors": int(values["status_errors"]) + int(values["socket_errors"]),
    }


def load_pages(url: str, ids: dict, args, logdir: Path) -> dict:
    wrk = ensure_wrk()
    lua = logdir / "report.lua"
    lua.write_text(LUA)
    results = {}
    for kind, cache_seconds, port in (("warm", 300, args.port), ("cold", 0, args.port + 1)):
        log(f"starting gunicorn ({kind}: CF_PUBLIC_CACHE_SECONDS={cache_seconds}) on :{port}")
        server = Server(url, port, cache_seconds, logdir)
        try:
            rss_before = server.worker_rss_mb()
            for label, path, who in PAGES:
                url_path = path.format(**ids)
                headers = {}
                if who == "officer":
                    headers["Cookie"] = f"sessionid={ids['session']}"
                if who == "key":
                    headers["Authorization"] = f"Bearer {ids['key']}"
                started = time.monotonic()
                status, got, _ = server.get(url_path, headers)
                first = time.monotonic() - started
                if who == "anon-etag":
                    headers["If-None-Match"] = got.get("ETag", "")
                    status = server.get(url_path, headers)[0]
                expected = 304 if who == "anon-etag" else 200
                if status != expected:
                    log(f"{kind}: {url_path} answered {status}; see {server.log.name}")
                    results[(kind, label)] = {"requests": 0, "first_ms": 0, "status": status}
                    continue
                log(f"{kind}: {label}")
                seconds = min(args.max_duration, max(args.duration, math.ceil(5 * first)))
                result = wrk_run(wrk, lua, server, url_path, headers, args, seconds)
                result["first_ms"] = first * 1000
                results[(kind, label)] = result
            results[(kind, "rss")] = (rss_before, server.worker_rss_mb())
        finally:
            server.stop()
    return results


# --- Batch jobs --------------------------------------------------------------------------------

HOLIDAY = """
import datetime as dt
from django.utils import timezone
from workflows.models import HolidayOverride
from workflows.notifications import holiday_override_save_and_notify
day = timezone.localdate() + dt.timedelta(days=10)
while day.weekday() >= 5:
    day += dt.timedelta(days=1)
changes = holiday_override_save_and_notify(
    override=HolidayOverride(region="england-and-wales", date=day, name="Benchmark bank holiday")
)
print(f"moved {len(changes)} due dates")
"""


def batch_jobs(url: str, timeout: int) -> list[tuple[str, float, float, str]]:
    jobs = [
        ("sync_permissions", ("sync_permissions",)),
        ("deadline sweep (real)", ("sweep_deadlines",)),
        ("deadline sweep (nothing to do)", ("sweep_deadlines",)),
        ("bank-holiday recompute", ("shell", "-c", HOLIDAY)),
    ]
    rows = []
    for label, command in jobs:
        log(f"batch: {label}")
        seconds, peak, stdout, stderr = manage(
            url, *command, timed=True, check=False, timeout=timeout
        )
        said = stdout.strip().splitlines() or ["(nothing)"]
        summary = "timed out: killed" if "timed out after" in stderr else said[-1]
        rows.append((label, seconds, peak, summary[:120]))
    return rows


# --- The report --------------------------------------------------------------------------------


def cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.machine()


def machine() -> str:
    mem = Path("/proc/meminfo").read_text().split("\n")[0].split()[1]
    load = os.getloadavg()
    return (
        f"{platform.node()}: {os.cpu_count()} cores ({cpu_model()}), "
        f"{int(mem) // 1024 // 1024} GB RAM, Linux {platform.release()}, Python "
        f"{platform.python_version()}; load average at the end {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f}"
    )


def report(args, counts, small_counts, loads, jobs) -> str:
    stamp = time.strftime("%d %b %Y %H:%M UTC", time.gmtime())
    out = [
        f"## National-scale benchmark, S={args.scale} ({stamp})",
        "",
        f"Machine: {machine()}. PostgreSQL 15, gunicorn from the Procfile (2 workers, DEBUG off), "
        f"wrk -t1 -c{args.connections}, at least {args.duration} s per page. Topics: "
        f"{counts.get('topics', '(not counted)')} (small scale: "
        f"{small_counts.get('topics', '(not counted)')}).",
        "",
        "Ratios: a page's p50 over the trivial view's p50, and the trivial view's requests/s over "
        "the page's (both: how many trivial views the page costs), on the same server in the "
        "same run.",
        "",
        "| page | cache | p50 ms | p95 ms | p99 ms | req/s | × trivial (p50) "
        "| × trivial (req/s) | first request ms | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for kind in ("warm", "cold"):
        anchor = loads[(kind, PAGES[0][0])]
        for label, _, _ in PAGES:
            r = loads[(kind, label)]
            if not r["requests"]:
                why = f"answered {r['status']}" if "status" in r else "no request completed"
                out.append(
                    f"| {label} | {kind} | — | — | — | 0 | — | — | {r['first_ms']:.0f} | {why} |"
                )
                continue
            out.append(
                f"| {label} | {kind} | {r['p50']:.1f} | {r['p95']:.1f} | {r['p99']:.1f} | "
                f"{r['rps']:.1f} | {r['p50'] / anchor['p50']:.1f} | "
                f"{anchor['rps'] / r['rps']:.1f} | {r['first_ms']:.0f} | {r['errors']} |"
            )
    for kind in ("warm", "cold"):
        before, after = loads[(kind, "rss")]
        out.append("")
        out.append(
            f"Web worker RSS ({kind} server): "
            f"{', '.join(f'{x:.0f}' for x in before)} MB at start, "
            f"{', '.join(f'{x:.0f}' for x in after)} MB after the run."
        )
    out += [
        "",
        f"Query counts (one request in-process, public cache off) at S={args.scale} and "
        f"S={args.small_scale}:",
        "",
        f"| page | queries S={args.scale} | queries S={args.small_scale} | "
        f"in-process ms S={args.scale} | bytes S={args.scale} |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, _, _ in PAGES:
        if label not in counts or label not in small_counts:
            continue
        a, b = counts[label], small_counts[label]
        out.append(
            f"| {label} | {a['queries']} | {b['queries']} | {a['ms']:.0f} | {a['bytes']:,} |"
        )
    out += [
        "",
        "Batch jobs (on a clone; wall time and peak RSS from /usr/bin/time -v):",
        "",
        "| job | seconds | peak MB | said |",
        "|---|---:|---:|---|",
    ]
    for label, seconds, peak, said in jobs:
        out.append(f"| {label} | {seconds:.1f} | {peak:.0f} | {said.replace('|', '/')} |")
    return "\n".join(out) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=0.1, help="seed_scale's S (default 0.1)")
    parser.add_argument("--small-scale", type=float, default=None, help="default S/10")
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=2, help="wrk connections (2)")
    parser.add_argument("--port", type=int, default=8701)
    parser.add_argument("--out", default=str(ROOT / "var" / "bench-national.md"))
    parser.add_argument(
        "--small-database-url", help="a seed_scale database for the second scale (cloned)"
    )
    parser.add_argument("--max-duration", type=int, default=60, help="cap per slow page (s)")
    parser.add_argument("--skip-jobs", action="store_true", help="no batch jobs")
    parser.add_argument("--skip-counts", action="store_true", help="no query counts")
    parser.add_argument("--job-timeout", type=int, default=900, help="seconds per batch job")
    args = parser.parse_args()
    args.small_scale = args.small_scale or max(0.001, round(args.scale / 10, 4))

    # Stopped (Ctrl-C, kill): still stop the servers and drop the clones.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        log("no PostgreSQL DATABASE_URL: starting a throwaway cluster (.ci/with-postgres)")
        os.execvp("bash", ["bash", str(ROOT / ".ci" / "with-postgres"), PYTHON, *sys.argv])
    made = []
    pid = os.getpid()
    try:
        loaded = topic_count(url)
        if loaded == 0:
            seed_into(url, args.scale)
            bench = url
        else:
            args.scale = round(loaded / NATIONAL_TOPICS, 4)  # what seed_scale loaded
            args.small_scale = max(0.001, round(args.scale / 10, 4))
            bench = clone(url, f"bench_{pid}")
            made.append(bench)
        if args.small_database_url:
            small = clone(args.small_database_url, f"bench_small_{pid}")
            made.append(small)
            args.small_scale = round(topic_count(small) / NATIONAL_TOPICS, 4)
        else:
            small = with_database(url, f"bench_small_{pid}")
            admin_sql(url, f'CREATE DATABASE "{database_name(small)}"')
            made.append(small)
            seed_into(small, args.small_scale)
        log("collectstatic (DEBUG is off: the manifest storage needs it)")
        manage(bench, "collectstatic", "--noinput", "-v0")
        ids = helper(bench, "--prepare")
        logdir = ROOT / "var" / f"bench-national-{pid}"  # gunicorn's logs, kept
        logdir.mkdir(parents=True, exist_ok=True)
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        # Each phase rewrites the report, so a run cut short still leaves what it measured.
        counts, small_counts, loads, jobs = {}, {}, load_pages(bench, ids, args, logdir), []
        out.write_text(report(args, counts, small_counts, loads, jobs))
        if not args.skip_counts:
            log("counting queries")
            counts = helper(bench, "--count-queries", CF_PUBLIC_CACHE_SECONDS=0)
            small_counts = helper(small, "--count-queries", CF_PUBLIC_CACHE_SECONDS=0)
            out.write_text(report(args, counts, small_counts, loads, jobs))
        if not args.skip_jobs:
            jobs_db = clone(bench, f"bench_jobs_{pid}")
            made.append(jobs_db)
            jobs = batch_jobs(jobs_db, args.job_timeout)
        text = report(args, counts, small_counts, loads, jobs)
        out.write_text(text)
        print(text)
        log(f"report written to {args.out}")
    finally:
        for db in reversed(made):
            drop(db)


if __name__ == "__main__":
    main()

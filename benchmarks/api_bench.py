"""The aggregation API under load on loopback, with a publish in the middle of the run.

Starts the API as `tidbok serve api` does (uvicorn, one worker) over a small-scale serving
file, then measures, in the same run:
- baselines: /healthz throughput (the HTTP stack with no query), and the commonest query
  answered straight from DuckDB in-process (no HTTP, no FastAPI, no disclosure control);
- the commonest queries at the highest rate this client reaches (closed loop);
- the target: an open loop at TARGET_RPS for TARGET_SECONDS, with a new version published
  (copy, new version stamp, os.replace) halfway: requests per second, p50 and p99 latency
  (from the intended send time, so queueing counts), errors, and the versions answered.
The load generator is asyncio + httpx on the same machine: the figures are for both.

BENCH_SERVING=/path/to/serving.duckdb (with its catalogue, the repository's by default)
benchmarks a real published file, e.g. of `tidbok demo` at small scale; otherwise a
synthetic file shaped like the small scale (21 regions, 12 months, the detail marts'
dimensions) is generated.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import httpx

TARGET_RPS = int(os.environ.get("BENCH_API_RPS", "200"))
TARGET_SECONDS = float(os.environ.get("BENCH_API_SECONDS", "30"))
TARGET_P99_MS = 50.0
CLOSED_LOOP_REQUESTS = int(os.environ.get("BENCH_API_REQUESTS", "3000"))
CLOSED_LOOP_CONCURRENCY = 16
OPEN_LOOP_SENDERS = 16
REGIONS = (
    "01",
    "03",
    "04",
    "05",
    "06",
    "07",
    "08",
    "09",
    "10",
    "12",
    "13",
    "14",
    "17",
    "18",
    "19",
    "20",
    "21",
    "22",
    "23",
    "24",
    "25",
)


def run(workdir: Path) -> dict:
    load_at_start = os.getloadavg()  # other work on the machine shares its 2 cores
    home = workdir / "home"
    home.mkdir(parents=True, exist_ok=True)
    serving = home / "serving.duckdb"
    source = os.environ.get("BENCH_SERVING")
    if source:
        shutil.copyfile(source, serving)
    else:
        write_small_serving_file(serving)
    key = _api_key(home)
    report: dict[str, Any] = {
        "serving_file": source or "synthetic, small-scale shape",
        "serving_file_mb": round(serving.stat().st_size / 2**20, 1),
        "mart_rows": _mart_rows(serving),
        "cold_tables_ms": _cold_tables_ms(home),
    }
    report["baseline_duckdb_direct"] = _duckdb_baseline(serving)
    port = _free_port()
    server, log = _start_server(home, port)
    url = f"http://127.0.0.1:{port}"
    try:
        mix = query_mix(key)
        asyncio.run(_closed_loop(url, mix, 200, 8))  # warm up: connections, tables
        report["baseline_healthz"] = _with_cpu(
            server.pid,
            lambda: asyncio.run(
                _closed_loop(url, [("/healthz", {})], CLOSED_LOOP_REQUESTS, CLOSED_LOOP_CONCURRENCY)
            ),
        )
        report["max_throughput"] = _with_cpu(
            server.pid,
            lambda: asyncio.run(
                _closed_loop(url, mix, CLOSED_LOOP_REQUESTS, CLOSED_LOOP_CONCURRENCY)
            ),
        )
        # Every URL new (limit varies), so no answer comes from the server's cache of
        # rendered bodies: the whole path, query layer included, on every request.
        report["max_throughput_uncached"] = _with_cpu(
            server.pid,
            lambda: asyncio.run(
                _closed_loop(url, mix, CLOSED_LOOP_REQUESTS, CLOSED_LOOP_CONCURRENCY, unique=True)
            ),
        )
        report["target_run"] = _with_cpu(
            server.pid,
            lambda: asyncio.run(
                _open_loop(url, mix, TARGET_RPS, TARGET_SECONDS, lambda: publish_elsewhere(serving))
            ),
        )
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        report["server_log_tail"] = log.read_text(errors="replace").splitlines()[-5:]
    target = report["target_run"]
    healthz, direct = report["baseline_healthz"], report["baseline_duckdb_direct"]
    report["ratios"] = {
        "max_rps_vs_healthz_rps": round(report["max_throughput"]["rps"] / healthz["rps"], 2),
        "uncached_max_rps_vs_healthz_rps": round(
            report["max_throughput_uncached"]["rps"] / healthz["rps"], 2
        ),
        "target_p50_vs_duckdb_direct_p50": round(target["p50_ms"] / direct["p50_ms"], 1),
    }
    report["target"] = {
        "rps": TARGET_RPS,
        "p99_ms_below": TARGET_P99_MS,
        "met": target["errors"] == 0
        and target["p99_ms"] < TARGET_P99_MS
        and target["achieved_rps"] >= 0.95 * TARGET_RPS,
    }
    report["machine"] = {
        "cpus": os.cpu_count(),
        "load_average_at_start": load_at_start,
        "load_average": os.getloadavg(),
    }
    return report


def query_mix(region_key: str) -> list[tuple[str, dict[str, str]]]:
    """The commonest queries (what the dashboards' tiles and the regions' reports ask)."""
    scoped = {"Authorization": f"Bearer {region_key}"}
    mix = []
    for region in REGIONS:
        mix += [
            (f"/v1/metrics/no_show_rate/values?region={region}", {}),
            (f"/v1/metrics/no_show_rate/values?region={region}&by=channel", {}),
            (f"/v1/metrics/late_cancellation_rate/values?region={region}&by=care_service", {}),
            (f"/v1/metrics/digital_booking_share/values?region={region}&grain=quarter", {}),
        ]
    mix += [
        ("/v1/metrics/no_show_rate/values?region=00&grain=quarter", {}),
        ("/v1/metrics/no_show_rate/values?by=channel&from=2025-10", {"Accept": "text/csv"}),
        ("/v1/metrics", {}),
        ("/v1/metrics/digital_booking_share/values?region=13&by=unit", scoped),
        ("/v1/metrics/no_show_rate/values?region=13&by=reminder", scoped),
    ] * 4
    return mix


async def _closed_loop(
    url: str, mix: list, total: int, concurrency: int, unique: bool = False
) -> dict:
    latencies: list[float] = []
    errors = 0
    queue = list(range(total))
    rng = random.Random(1)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while queue:
            i = queue.pop()
            path, headers = rng.choice(mix)
            if unique:
                path += f"{'&' if '?' in path else '?'}limit={5000 + i}"
            start = time.perf_counter()
            response = await client.get(path, headers=headers)
            latencies.append(time.perf_counter() - start)
            errors += response.status_code >= 400

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        start = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return {
        "requests": total,
        "concurrency": concurrency,
        "rps": round(total / elapsed, 1),
        **_percentiles(latencies),
        "errors": errors,
    }


async def _open_loop(url: str, mix: list, rate: int, seconds: float, publish) -> dict:
    """Requests sent on a fixed schedule by a pool of senders, one connection each; a
    request's latency counts from its scheduled time, so a late send (every sender busy)
    counts as waiting, not as a lighter load (no coordinated omission)."""
    rng = random.Random(2)
    total = int(rate * seconds)
    plan = [rng.choice(mix) for _ in range(total)]
    results: list[tuple[float, float, int, str | None]] = []
    publish_at = seconds / 2
    next_index = 0
    limits = httpx.Limits(
        max_connections=OPEN_LOOP_SENDERS, max_keepalive_connections=OPEN_LOOP_SENDERS
    )
    async with httpx.AsyncClient(base_url=url, timeout=30, limits=limits) as client:
        start = time.perf_counter()

        async def sender() -> None:
            nonlocal next_index
            while next_index < total:
                i = next_index
                next_index += 1
                scheduled = start + i / rate
                await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
                path, headers = plan[i]
                status, version = 0, None
                try:
                    response = await client.get(path, headers=headers)
                    status = response.status_code
                    version = response.headers.get("etag", '"?-').strip('"').rsplit("-", 1)[0]
                except httpx.HTTPError:
                    status = -1
                results.append(
                    (scheduled - start, time.perf_counter() - scheduled, status, version)
                )

        async def publisher() -> float:
            await asyncio.sleep(publish_at)
            began = time.perf_counter()
            await publish()
            return time.perf_counter() - began

        outcome = await asyncio.gather(publisher(), *(sender() for _ in range(OPEN_LOOP_SENDERS)))
        elapsed = time.perf_counter() - start
    latencies = [r[1] for r in results]
    after = [r[1] for r in results if publish_at <= r[0] < publish_at + 5]
    versions = sorted({r[3] for r in results if r[3]})
    return {
        "target_rps": rate,
        "seconds": seconds,
        "requests": total,
        "senders": OPEN_LOOP_SENDERS,
        "achieved_rps": round(total / elapsed, 1),
        **_percentiles(latencies),
        "errors": sum(1 for r in results if r[2] >= 400 or r[2] < 0),
        "publish_at_s": publish_at,
        "publish_took_s": round(outcome[0], 2),
        "p99_ms_in_5s_after_publish": _percentiles(after)["p99_ms"] if after else None,
        "p99_ms_by_second": [
            _percentiles(window)["p99_ms"] if window else None
            for window in (
                [r[1] for r in results if second <= r[0] < second + 1]
                for second in range(int(seconds))
            )
        ],
        "versions_answered": versions,
    }


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _with_cpu(pid: int, measure) -> dict:
    """The figures of `measure()`, plus the CPU the server and this load generator spent
    per request: unlike latency, that does not depend on what else the machine runs, so
    it says what the server needs of the 2 cores when the machine is busy."""
    server_before, client_before = _cpu_seconds(pid), time.process_time()
    result = measure()
    server_cpu = _cpu_seconds(pid) - server_before
    client_cpu = time.process_time() - client_before
    requests = result["requests"]
    result["server_cpu_ms_per_request"] = round(1000 * server_cpu / requests, 2)
    result["client_cpu_ms_per_request"] = round(1000 * client_cpu / requests, 2)
    if server_cpu > 0:
        result["server_rps_per_cpu_core"] = round(requests / server_cpu, 1)
    return result


def _percentiles(latencies: list[float]) -> dict:
    ordered = sorted(latencies)

    def at(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 2)

    return {
        "p50_ms": at(0.50),
        "p99_ms": at(0.99),
        "max_ms": round(1000 * ordered[-1], 2),
        "mean_ms": round(1000 * statistics.fmean(ordered), 2),
    }


def _duckdb_baseline(serving: Path, queries: int = 2000) -> dict:
    """The commonest query, no-show rate per month for one region, straight from DuckDB."""
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH '{serving}' AS serving (READ_ONLY)")
    rng = random.Random(3)
    latencies = []
    start = time.perf_counter()
    for _ in range(queries):
        began = time.perf_counter()
        cursor = con.cursor()
        cursor.execute(
            "SELECT strftime(month, '%Y-%m'), sum(numerator), sum(denominator) "
            "FROM serving.marts.no_show_rate WHERE region_code = ? GROUP BY 1 ORDER BY 1",
            [rng.choice(REGIONS)],
        ).fetchall()
        cursor.close()
        latencies.append(time.perf_counter() - began)
    elapsed = time.perf_counter() - start
    con.close()
    return {"queries": queries, "qps": round(queries / elapsed, 1), **_percentiles(latencies)}


def _cold_tables_ms(home: Path) -> dict:
    """How long each metric's public tables take to build and protect for a new version
    (what the warm switch-over keeps out of request latency)."""
    code = (
        "import json, time\n"
        "from tidbok.serving import metric_values, serving_snapshot\n"
        "out = {}\n"
        "with serving_snapshot() as snap:\n"
        "    for m in ('no_show_rate', 'late_cancellation_rate', 'digital_booking_share'):\n"
        "        t = time.perf_counter(); metric_values(m, region='00', snapshot=snap)\n"
        "        out[m] = round(1000 * (time.perf_counter() - t))\n"
        "print(json.dumps(out))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "TIDBOK_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


async def publish_elsewhere(serving: Path) -> None:
    """publish_copy in a process of its own, as the pipeline is: the load generator's
    clock must not stall on it."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        f"from pathlib import Path; from benchmarks.api_bench import publish_copy; "
        f"publish_copy(Path({str(serving)!r}))",
    )
    if await process.wait() != 0:
        raise RuntimeError("the mid-run publish failed")


def publish_copy(serving: Path) -> None:
    """Publish a new version the way the pipeline does: finished copy, then os.replace."""
    copy = serving.with_name(f".{serving.name}.bench.tmp")
    shutil.copyfile(serving, copy)
    con = duckdb.connect(str(copy))
    try:
        version = datetime.now(UTC).strftime("bench-%Y%m%dT%H%M%S%f")
        con.execute(
            "UPDATE meta.publish_info SET version = ?, published_at = ?",
            [version, datetime.now(UTC).replace(tzinfo=None)],
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    os.replace(copy, serving)


def _api_key(home: Path) -> str:
    from aggregator_api.keys import KeyStore

    return KeyStore(home / "secrets" / "api_keys.json").create("bench-halland", ["region:13"])


def _start_server(home: Path, port: int) -> tuple[subprocess.Popen, Path]:
    from tidbok.cli import serve_command

    log = home / "uvicorn.log"
    env = {
        **os.environ,
        "TIDBOK_HOME": str(home),
        "TIDBOK_API_RATE_LIMIT": "100000",
        "TIDBOK_API_RATE_BURST": "100000",
    }
    with log.open("wb") as output:
        server = subprocess.Popen(
            serve_command("api", port), env=env, stdout=output, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return server, log
        except httpx.TransportError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"the API did not start:\n{log.read_text()}")
        time.sleep(0.2)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _mart_rows(serving: Path) -> dict[str, int]:
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return {
            table: con.execute(f"SELECT count(*) FROM marts.{table}").fetchone()[0]
            for table in (
                "no_show_rate",
                "no_show_rate_by_dimension",
                "late_cancellation_rate",
                "digital_booking_share",
            )
            if con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' "
                "AND table_name = ?",
                [table],
            ).fetchone()[0]
        }
    finally:
        con.close()


def write_small_serving_file(path: Path, seed: int = 5) -> Path:
    """A serving file shaped like the pipeline's at small scale: 21 regions, 12 months of
    2025, the marts the query mix reads with the catalogue's columns and code lists, counts
    in proportion to the regions' populations (about a million bookings a year)."""
    from tidbok import config

    con = duckdb.connect(str(path))
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"SELECT setseed({seed / 100})")
        con.execute("CREATE SCHEMA marts; CREATE SCHEMA meta")
        con.execute(
            "CREATE TABLE marts.dim_regions AS SELECT regionkod AS region_code, namn AS "
            "region_name, hsa_prefix, folkmangd_2024_ca::BIGINT AS population FROM "
            f"read_csv('{config.REGIONS_CSV}', all_varchar=true)"
        )
        con.execute(
            "CREATE TEMP TABLE region_month AS SELECT region_code, hsa_prefix, m::DATE AS month, "
            "population / 10400000.0 AS share FROM marts.dim_regions, "
            "range(DATE '2025-01-01', DATE '2026-01-01', INTERVAL 1 MONTH) t(m)"
        )
        codes = {
            "booking_channel": [
                "eservice",
                "phone",
                "front_desk",
                "staff",
                "invitation",
                "third_party_app",
                "unknown",
            ],
            "reminder": ["sms", "eservice", "none", "unknown"],
            "lead_time_band": [
                "same_day",
                "1_day",
                "2_to_7_days",
                "8_to_14_days",
                "15_to_21_days",
                "22_to_28_days",
                "more_than_28_days",
                "unknown",
            ],
            "contact_type": ["physical", "video", "phone", "home", "unknown"],
            "care_service": [
                "LAKARBESOK",
                "SJUKSKOTERSKA",
                "VACCINATION",
                "PROVTAGNING",
                "SCREENING",
                "FYSIOTERAPI",
                "PSYKOLOG",
                "SPECIALIST",
                "ANNAT",
                "unknown",
            ],
            "age_band": ["0-17", "18-29", "30-49", "50-64", "65-79", "80+", "unknown"],
            "care_level": ["primary_care", "specialist_care"],
        }

        def pick(column: str, salt: int) -> str:
            values = ", ".join(f"'{v}'" for v in codes[column])
            return f"[{values}][1 + (hash(i, {salt}) % {len(codes[column])})::INTEGER]"

        # About 80 000 visits a month nationally, spread over dimension combinations.
        detail_dims = list(codes)
        con.execute(f"""
            CREATE TABLE marts.no_show_rate_by_dimension AS
            SELECT region_code, month, {
            ", ".join(f"{pick(c, n)} AS {c}" for n, c in enumerate(detail_dims))
        },
                   sum((random() < 0.06)::INTEGER)::BIGINT AS numerator,
                   count(*)::BIGINT AS denominator
            FROM region_month, range(0, (80000 * share)::BIGINT) r(i)
            GROUP BY ALL
        """)
        con.execute("ALTER TABLE marts.no_show_rate_by_dimension ADD COLUMN rate DOUBLE")
        con.execute("UPDATE marts.no_show_rate_by_dimension SET rate = numerator / denominator")
        con.execute("""
            CREATE TABLE marts.no_show_rate AS
            SELECT region_code, month, booking_channel, sum(numerator)::BIGINT AS numerator,
                   sum(denominator)::BIGINT AS denominator,
                   sum(numerator) / sum(denominator) AS rate
            FROM marts.no_show_rate_by_dimension GROUP BY ALL
        """)
        con.execute(f"""
            CREATE TABLE marts.late_cancellation_rate AS
            SELECT region_code, month, {pick("care_level", 11)} AS care_level,
                   {pick("care_service", 12)} AS care_service,
                   {pick("booking_channel", 13)} AS booking_channel,
                   sum((random() < 0.08)::INTEGER)::BIGINT AS numerator,
                   count(*)::BIGINT AS denominator, NULL::DOUBLE AS rate
            FROM region_month, range(0, (90000 * share)::BIGINT) r(i)
            GROUP BY ALL
        """)
        con.execute(f"""
            CREATE TABLE marts.digital_booking_share AS
            SELECT region_code, month, {pick("care_service", 21)} AS care_service,
                   hsa_prefix || '-E' || lpad((hash(i, 22) % greatest(2, (400 * share)::BIGINT)
                   )::VARCHAR, 6, '0') AS care_unit_hsa_id,
                   sum((random() < 0.3)::INTEGER)::BIGINT AS numerator,
                   count(*)::BIGINT AS denominator, NULL::DOUBLE AS rate
            FROM region_month, range(0, (85000 * share)::BIGINT) r(i)
            GROUP BY ALL
        """)
        con.execute("CREATE TABLE meta.publish_info (version VARCHAR, published_at TIMESTAMP)")
        con.execute(
            "INSERT INTO meta.publish_info VALUES ('bench-1', TIMESTAMP '2026-01-02 05:00')"
        )
        con.execute("CHECKPOINT")
    finally:
        con.close()
    return path

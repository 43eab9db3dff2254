"""The benchmark runs end to end (it reports figures; nothing here judges speed)."""

from __future__ import annotations

import time

import pytest

from app import bench
from app.bench_asgi import run_asgi

LIBRARY_FIGURES = {
    "ob3_di_sign_per_s",
    "ob3_di_verify_per_s",
    "ob3_verify_report_per_s",
    "ob3_jwt_es256_sign_per_s",
    "ob3_jwt_es256_verify_per_s",
    "ob3_jwt_rs256_sign_per_s",
    "ob3_jwt_rs256_verify_per_s",
    "png_bake_per_s",
    "png_unbake_per_s",
    "svg_bake_per_s",
    "share_card_per_s",
    "ob2_signed_verify_per_s",
    "verify_baked_png_per_s",
    "peak_memory_mb",
}


def test_the_library_benchmark_produces_every_figure() -> None:
    figures = bench.run(quick=True)
    assert set(figures) >= LIBRARY_FIGURES
    assert all(figures[name] > 0 for name in LIBRARY_FIGURES)
    assert 15_000 < figures["baked_png_bytes"] < 30_000  # a ~20 KB image, as specified
    assert bench.as_text(figures).count("\n") == len(figures) - 1


def test_the_service_to_library_ratios_are_printed_when_both_figures_are_there() -> None:
    figures = bench.with_ratios(
        {
            "ob3_verify_report_per_s": 800.0,
            "api_verify_ob3_per_s": 500.0,
            "ob3_di_sign_per_s": 1000.0,
            "api_issue_ob3_per_s": 450.0,
        }
    )
    assert figures["api_verify_ob3_vs_verify_report_ratio"] == 0.625
    assert figures["api_issue_ob3_vs_di_sign_ratio"] == 0.45
    assert "api_issue_ob3_vs_di_sign_ratio" not in bench.with_ratios({"ob3_di_sign_per_s": 1.0})


def test_the_batch_benchmark_previews_a_whole_session() -> None:
    assert bench.batch_csv().decode("cp932").count("\r\n") == bench.BATCH_ROWS + 1
    figures = bench.run_batches(quick=True)
    assert set(figures) == {"batch_preview_per_s"}
    assert figures["batch_preview_per_s"] > 0


MAIL_FIGURES = {
    "mail_render_per_s",
    "issue_no_notify_per_s",
    "issue_notify_per_s",
    "issue_notify_vs_no_notify_ratio",
    "issue_7000_no_notify_s",
    "issue_7000_notify_s",
    "outbox_send_per_s",
    "queue_7000_notifications_s",
}


def test_the_mail_benchmark_sends_to_a_loopback_server_and_produces_every_figure() -> None:
    figures = bench.run_mail(quick=True)  # raises unless every queued mail arrived
    assert set(figures) == MAIL_FIGURES
    assert all(figures[name] > 0 for name in MAIL_FIGURES)


def test_the_in_process_service_figures_issue_and_verify_without_errors() -> None:
    figures = run_asgi(quick=True)
    assert figures["inprocess_errors"] == 0
    for name in ("api_issue_ob3_inprocess", "api_verify_ob3_inprocess"):
        assert figures[f"{name}_per_s"] > 0
        assert figures[f"{name}_cpu_ms"] > 0
    ratios = bench.with_ratios(figures | {"ob3_di_sign_per_s": 1.0, "ob3_verify_report_per_s": 1.0})
    assert ratios["api_issue_ob3_inprocess_vs_di_sign_ratio"] > 0
    assert ratios["api_verify_ob3_inprocess_vs_verify_report_ratio"] > 0


def test_the_text_output_says_how_the_figures_are_measured() -> None:
    text = bench.as_text({"api_issue_ob3_per_s": 1.0, "measured": bench.MEASURED})
    assert text.splitlines()[0].startswith("api_issue_ob3_per_s")
    assert "measured:" in text
    assert all(name in text for name in bench.MEASURED)


@pytest.mark.slow
def test_the_ob_api_figure_pages_through_a_real_server_without_errors() -> None:
    figures = bench.run_ob_api(quick=True)
    assert figures["ob_api_errors"] == 0
    assert figures["ob_api_get_credentials_per_s"] > 0


def test_the_webhook_benchmark_delivers_every_event_signed() -> None:
    # The benchmark raises unless every event arrived with a valid signature.
    figures = bench.run_webhooks(quick=True)
    assert set(figures) == {"webhook_events_per_s"}
    assert figures["webhook_events_per_s"] > 0


def test_the_wallet_benchmark_delivers_through_a_real_server_without_errors() -> None:
    from app import bench_wallets

    figures = bench_wallets.run(quick=True)
    assert figures["wallet_delivery_errors"] == 0
    assert figures["wallet_delivery_per_s"] > 0


def test_the_load_generator_leaves_its_warm_up_out_of_the_figure() -> None:
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from app.loadgen import load, request_bytes

    served: list[float] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as the load generator expects

        def do_GET(self) -> None:
            served.append(time.perf_counter())
            self.send_response(200 if self.path == "/ok" else 500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    with ThreadingHTTPServer(("127.0.0.1", 0), Handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}"
        ok = request_bytes(base, "GET", "/ok")
        started = time.perf_counter()
        result = load(base, lambda i: ok, concurrency=1, seconds=0.3, warmup=0.3)
        warm = [at for at in served if at < started + 0.3]
        assert warm and result.requests > 0
        assert result.requests <= len(served) - len(warm)  # counted: the measured ones only
        assert result.errors == 0
        # A failure during the warm-up is not timed, but it is not hidden either.
        failing, before = request_bytes(base, "GET", "/fail"), len(served)
        result = load(base, lambda i: failing, concurrency=1, seconds=0.1, warmup=0.1)
        assert result.errors == len(served) - before > result.requests
        server.shutdown()


@pytest.mark.slow
def test_the_http_figures_issue_concurrently_and_serially_on_two_workers_without_errors() -> None:
    figures = bench.run_http(quick=True)
    assert figures["http_errors"] == 0
    for name in ("api_issue_ob3", "api_issue_ob3_serial"):
        assert figures[f"{name}_per_s"] > 0
        assert 0 < figures[f"{name}_p50_ms"] <= figures[f"{name}_p99_ms"]
    assert "api_issue_ob3_concurrent_per_s" not in figures  # the throughput figure is concurrent
    assert "api_issue_ob3_serial_vs_di_sign_ratio" in bench.with_ratios(
        figures | {"ob3_di_sign_per_s": 1.0}
    )
    assert bench.ISSUE_CONCURRENCY > 1
    assert f"{bench.ISSUE_CONCURRENCY} keep-alive" in bench.MEASURED["api_issue_ob3_per_s"]

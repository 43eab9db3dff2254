"""The batch benchmark runs end to end on SQLite (it reports figures; nothing judges speed)."""

from __future__ import annotations

from pathlib import Path

from app import bench, bench_batches


def test_a_batch_is_measured_from_start_to_done(tmp_path: Path) -> None:
    rate, per_cpu = bench_batches._measure(f"sqlite:///{tmp_path / 'b.db'}", 20, workers=0)
    assert rate > 0
    assert per_cpu is not None and per_cpu > 0


def test_the_batch_ratios_are_printed_when_both_figures_are_there() -> None:
    figures = bench.with_ratios({"ob3_di_sign_per_s": 500.0, "batch_issue_per_s": 750.0})
    assert figures["batch_issue_vs_di_sign_ratio"] == 1.5

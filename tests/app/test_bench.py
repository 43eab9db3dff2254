"""The benchmark runs end to end (it reports figures; nothing here judges speed)."""

from __future__ import annotations

from app import bench

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

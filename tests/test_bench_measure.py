"""The benchmark table: each step measured in its own process, ratio ours/bare per step."""

from __future__ import annotations

from benchmarks.measure import Row, in_fresh_process, print_table


def _allocate(megabytes: int) -> dict[str, object]:
    block = bytearray(megabytes * 2**20)
    block[::4096] = b"x" * len(block[::4096])
    return {"wall": 1.0, "cpu": 0.5, "count": len(block)}


def test_a_step_reports_its_own_peak_memory() -> None:
    small = in_fresh_process(_allocate, 1)
    big = in_fresh_process(_allocate, 600)
    assert big["count"] == 600 * 2**20
    assert big["peak_mb"] > 600 > small["peak_mb"] + 200
    again = in_fresh_process(_allocate, 1)  # a fresh process each: no carry-over
    assert again["peak_mb"] < big["peak_mb"] - 300


def test_the_ratio_compares_ours_with_each_reference_on_the_same_step() -> None:
    lines: list[str] = []
    print_table(
        [
            Row("city", "yearly review", "ours", 6.0, 5.0, 300, 6834, "items", bytes=1_210_000),
            Row("city", "yearly review", "bare", 4.0, 3.9, 120, 7000, bytes=1_090_000),
            Row("city", "yearly review", "xlsxwriter", 2.0, 2.5, 110, 7000, bytes=1_060_000),
            Row("city", "import", "ours", 10.0, 9.0, 200, 100_000),
            Row("city", "import", "bare", 20.0, 19.0, 80, 100_000),
        ],
        lines.append,
    )
    review_ours, review_bare, review_xw, import_bare = lines[2], lines[3], lines[4], lines[6]
    assert review_bare.endswith("| 1.09 | 1.50× (CPU 1.28×) |")
    assert review_xw.endswith("| 1.06 | 3.00× (CPU 2.00×) |")
    assert import_bare.endswith("|  | 0.50× (CPU 0.47×) |")
    assert "| 6,834 items | 1,139 | 1.21 |  |" in review_ours

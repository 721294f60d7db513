"""Charts: PNG that decodes, SVG that parses and names what it shows, stable SVG bytes."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import matplotlib
import pytest
from matplotlib.image import imread

from reports.charts import MAX_BARS, coverage_by_unit, trend
from reports.model import Counts
from tests.reports.test_excel import CATEGORIES, build, sample, unit, vssid

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
#: Each day's total: (headcount, installed, active); a day whose headcount is unknown is a gap.
POINTS = [
    (date(2021, 3, 10) + timedelta(days=n), Counts(den, installed, {"active": active}))
    for n, (den, installed, active) in enumerate(
        [
            (1000, 215, 120),
            (1000, 302, 184),
            (None, 0, 0),
            (1000, 489, 310),
            (1000, 623, 447),
            (1000, 750, 622),
        ]
    )
]


def texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def test_coverage_by_unit__png_decodes() -> None:
    png = coverage_by_unit(sample(), "png")
    assert png.startswith(PNG_SIGNATURE)
    image = imread(io.BytesIO(png), format="png")
    height, width = image.shape[:2]
    assert width > 800 and height > 400


def test_coverage_by_unit__svg_names_units_target_and_date() -> None:
    labels = texts(coverage_by_unit(sample(), "svg"))
    assert "Mục tiêu 100%" in labels
    assert "Tỷ lệ đã cài đặt (%)" in labels
    assert {"Phòng Nội vụ Quận 10", "Ủy ban Mặt trận Tổ quốc Việt Nam Quận 10"} <= set(labels)
    assert {"PHÒNG, BAN", "PHƯỜNG"} <= set(labels)
    assert any("tính đến ngày 31/03/2021" in t for t in labels)
    assert "83,3%" in labels  # Phòng Nội vụ: 10 of 12, with a decimal comma


def test_coverage_by_unit__unknown_headcount__left_out_and_named() -> None:
    labels = texts(coverage_by_unit(sample(), "svg"))
    assert "Phòng Tư pháp Quận 10" not in labels
    (note,) = [t for t in labels if t.startswith("Chưa xác định tổng số")]
    assert "Phòng Tư pháp Quận 10" in note


def test_coverage_by_unit__same_input__same_svg_bytes() -> None:
    assert coverage_by_unit(sample(), "svg") == coverage_by_unit(sample(), "svg")


def test_trend__png_and_svg() -> None:
    assert trend(vssid(), POINTS, 100.0, "png").startswith(PNG_SIGNATURE)
    labels = texts(trend(vssid(), POINTS, 100.0, "svg"))
    assert "Mục tiêu 100%" in labels
    assert {"10/03", "15/03"} <= set(labels)
    assert any("từ 10/03/2021 đến 15/03/2021" in t for t in labels)
    assert {"75,0%", "62,2%"} <= set(labels)  # the last values are labelled
    assert {"Đã cài đặt (%)", "Đang sử dụng (%)"} <= set(labels)


def test_trend__same_input__same_svg_bytes() -> None:
    assert trend(vssid(), POINTS, 100.0, "svg") == trend(vssid(), POINTS, 100.0, "svg")


def test_trend__no_points__says_so() -> None:
    assert "Chưa có số liệu" in texts(trend(vssid(), [], 100.0, "svg"))


def test_charts__leave_global_style_alone() -> None:
    before = dict(matplotlib.rcParams)
    coverage_by_unit(sample(), "svg")
    trend(vssid(), POINTS, 100.0, "png")
    assert dict(matplotlib.rcParams) == before


@pytest.mark.parametrize("fmt", ["pdf", "jpg", ""])
def test_charts__unknown_format__value_error(fmt: str) -> None:
    with pytest.raises(ValueError, match="format"):
        trend(vssid(), POINTS, 100.0, fmt)


def test_coverage_by_unit__many_units__lowest_drawn_and_said() -> None:
    cc = CATEGORIES[0]
    units = [
        unit(f"U{n:04d}", f"Phường {n}", "ward", {cc: (100, n % 97, 0)}) for n in range(3000)
    ] + [unit(f"X{n:04d}", f"Tổ dân phố {n}", "ward", {cc: (None, 0, 0)}, source=None)
         for n in range(500)]  # fmt: skip
    svg = coverage_by_unit(build(units), "svg")
    labels = texts(svg)
    drawn = [t for t in labels if t.startswith("Phường ")]
    assert len(drawn) == MAX_BARS
    assert all(int(t.split()[1]) % 97 < 2 for t in drawn)  # the lowest: 0 % and 1 %
    assert any(f"{MAX_BARS} đơn vị có tỷ lệ thấp nhất trong 3.000 đơn vị" in t for t in labels)
    note = " ".join(labels[labels.index(next(t for t in labels if t.startswith("Chưa xác"))) :])
    assert "(500)" in note and "và 460 đơn vị khác" in note  # 40 named, not 500
    png = coverage_by_unit(build(units), "png")
    height = imread(io.BytesIO(png), format="png").shape[0]
    assert height < 2500  # a page, not a 3,000-bar scroll

"""Report settings read from the app's configuration (``VSSID_TARGET_PCT``…)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reports.model import Thresholds


def thresholds_from(config: Mapping[str, Any]) -> Thresholds:
    """The coverage thresholds: ``TARGET_PCT`` (default 100) and ``ON_TRACK_PCT`` (80)."""
    return Thresholds(
        target=float(config.get("TARGET_PCT", 100.0)),
        on_track=float(config.get("ON_TRACK_PCT", 80.0)),
    )

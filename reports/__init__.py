"""The read side: coverage figures computed from the projections, as tables and files.

Imports ``ingest`` models only, never Flask.
"""

from __future__ import annotations

__all__: list[str] = []

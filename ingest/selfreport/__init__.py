"""Self-report: a unit's public link to its campaign's self-report form (DESIGN.md §9).

- ``links``: make, open, list and revoke links;
- ``limits``: posts per link and per address in an hour, counted in the database;
- ``identity``: whether a self-report's identifier and birth date are on the unit's roster;
- ``instance``: the link's unit written into the submitted XML (never the page's).
"""

from __future__ import annotations

from ingest.selfreport import identity, instance, limits, links

SOURCE = "selfreport"

__all__ = ["SOURCE", "identity", "instance", "limits", "links"]

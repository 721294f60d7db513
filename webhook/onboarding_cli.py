"""CLI commands for onboarding and demo data (``vssid collect-qr``, ``vssid demo``)."""

from __future__ import annotations

import click

COMMANDS: list[click.Command] = []

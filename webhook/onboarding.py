"""Onboarding collectors' phones: ODK Collect settings and their QR code."""

from __future__ import annotations

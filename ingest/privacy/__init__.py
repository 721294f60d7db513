"""Personal data under Law 91/2025: consent, requests, retention, audit trail."""

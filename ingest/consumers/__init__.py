"""Consumers of the log: everything derived from submissions, each with its own cursor."""

"""The registry of the world the campaign runs in: units, rosters, accounts and tabular files."""

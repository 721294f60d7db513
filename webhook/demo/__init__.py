"""``vssid demo``: a made-up District 10 campaign, loaded through intake like real data.

Not part of the pipeline: the demo only feeds it, as phones do.

- ``collect``: a form filled in as ODK Collect fills it, from the form's own spec.
"""

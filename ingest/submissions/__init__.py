"""Submissions: parsing, intake (the one append to the log), attachments, spreadsheets, review."""

"""Telegram, whichever framework runs it.

Everything both framework adapters need lives here once: reading an update
into the tree's events (`updates`), the calls a reply turns into
(`actions`), pacing and retrying those calls within Telegram's limits
(`delivery`), and the path from update to delivered replies (`front`).
An adapter only feeds updates in and carries actions out.
"""

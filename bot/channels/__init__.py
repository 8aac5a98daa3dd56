"""Channels: each one an adapter between a platform and the channel-neutral core."""

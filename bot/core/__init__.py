"""The assistant and its limits: the channel-neutral core every channel plugs into."""

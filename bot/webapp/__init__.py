"""The password Mini App: its page, its one-time links, its launch-data check and its HTTP side."""

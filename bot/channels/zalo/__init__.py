"""The Zalo Official Account channel (issue 19): its API client, tokens and webhook.

What Zalo's documentation could not confirm is set in `assumptions.py` alone.
"""

"""The portal adapter (`client.PortalClient`) and the sandbox portal that stands in for dichvucong.gov.vn.

Nothing is imported here on purpose: the bot needs only the client, and the
sandbox (with its server) is loaded only by the commands and tests that run it.
"""

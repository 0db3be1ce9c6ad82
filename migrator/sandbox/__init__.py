"""The embedded Twenty: a WSGI application that behaves like Twenty's REST API (v2.15 or upstream).

Served on loopback by ``migrator sandbox serve`` or mounted in-process through httpx's WSGI
transport for a ``sandbox:PATH`` destination. The contract is ``twenty-api.md``; the captured
exchanges in ``tests/data/captures/`` are the ground truth.
"""

"""Squid: squid.conf parsing, a three-valued decision model of what Squid does with a request, and
the helpers the Squid checks share.

Entry points: ``refs.referenced_paths`` (which files to collect), ``source.SQUID`` (the parsed
model of a host), ``decide.decide_explicit`` / ``decide.decide_intercepted`` (one request).
"""

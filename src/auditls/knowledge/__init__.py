"""API knowledge as data, one module per domain: which callees are dangerous and where their
arguments are, auth decorators, request sources, sinks, sanitizers, propagators.

Extractors, rules and the taint engine read it; its sources are hashed into the extractor
version (``auditls.extractors.EXTRACTOR_VERSION``), so a change re-extracts every file.
"""

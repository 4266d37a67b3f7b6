"""API knowledge as data, one module per domain: which callees are dangerous and where their
arguments are, auth decorators, request sources, sinks, sanitizers, propagators.

- ``security``: dangerous callees by category and where their arguments are, value sources,
  sanitizers, crypto / password / JWT APIs, auth decorators and CSRF across frameworks;
- ``flask``: Flask, Werkzeug and the Flask extensions: the classes of apps, blueprints and
  extensions, the methods that register routes, hooks, handlers and commands, auth decorators
  and checks, request data, configuration;
- ``heuristics``: every guess taken from the text of a name, named and capped;
- ``taint``: the taint models: sources, sinks by kind (and the arguments that matter),
  sanitizers per sink kind, propagators, the AUD5xx rules, and a workspace's own models
  (``[tool.auditls.taint]``) layered over them;
- ``common``: shapes the domains share (``AuthSpec``).

Extractors, rules and the taint engine read it. An extractor declares the tables it reads
(``Extractor.qualnames``, ``instances_of``, ``names``): the files it must see are derived from
them (``auditls.extractors.prefilter``), so a new entry is never silently out of reach. The
sources are hashed into the extractor version (``auditls.extractors.EXTRACTOR_VERSION``), so a
change re-extracts every file. Nothing here imports the rest of auditls (``taint`` names the type
of ``auditls.config``'s checked ``[tool.auditls.taint]`` for type checking only).
"""

"""Cross-file framework models over the workspace linker (``auditls.link``), one package per
domain (``flask``: apps, blueprints, routes and what guards them), built at query time and cached
per store revision."""

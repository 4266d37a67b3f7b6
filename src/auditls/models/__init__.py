"""Cross-file framework models over the store, one module per domain (``flask``: apps,
blueprints, routes and what guards them), built at query time and cached per store revision."""

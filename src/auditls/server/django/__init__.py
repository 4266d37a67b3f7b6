"""What the editor shows about Django: hover text (``text``, no LSP), the hover providers
(``hover``: signals, receivers, views, models) and workspace symbols of URL patterns and
signals (``symbols``)."""

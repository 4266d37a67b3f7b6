"""What the editor shows about Flask: hover text (``text``, no LSP), the hover providers
(``hover``) and workspace symbols of routes (``symbols``)."""

"""FastAPI in the editor: hover on path operations and their workspace symbols."""

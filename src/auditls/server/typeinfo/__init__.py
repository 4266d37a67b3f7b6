"""Types in the editor: hover on a protocol, a TypedDict, a type variable or alias, an
overloaded function, and a ``Literal`` type."""

"""The validation domain in the editor: hover on a schema, form, model or serializer."""

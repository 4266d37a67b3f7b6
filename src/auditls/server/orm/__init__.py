"""SQLAlchemy in the editor: hover on a model, a base or a mixin; models as workspace
symbols."""

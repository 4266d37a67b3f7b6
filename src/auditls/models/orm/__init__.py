"""The SQLAlchemy models of a workspace linked across files (``OrmModel``, ``model_of``,
``orm_fields``)."""

from auditls.models.orm.model import Model, OrmModel, generated_table, model_of, orm_fields

__all__ = ["Model", "OrmModel", "generated_table", "model_of", "orm_fields"]

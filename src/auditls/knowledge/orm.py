"""SQLAlchemy's declarative mapping as data (issue 17, Phase 2 "ORM"): what makes a declarative
base, a column, a relationship. Qualified names as ``Context.qualname`` resolves them: an
attribute of an object is ``<the class that made it>.<attribute>`` (``db.Column`` of
``db = SQLAlchemy()`` is ``flask_sqlalchemy.SQLAlchemy.Column``). Where SQL text reaches a
session or a connection is taint knowledge (``auditls.knowledge.taint``)."""

from __future__ import annotations

_FLASK_SQLALCHEMY = ("flask_sqlalchemy.SQLAlchemy", "flask_sqlalchemy.extension.SQLAlchemy")

#: Calls whose result is a declarative base (1.x): ``Base = declarative_base()``.
BASE_FACTORIES = frozenset({
    "sqlalchemy.orm.declarative_base", "sqlalchemy.ext.declarative.declarative_base",
    "sqlalchemy.orm.decl_api.declarative_base", "sqlalchemy.orm.registry.generate_base",
    "sqlalchemy.orm.decl_api.registry.generate_base",
})  # fmt: skip
#: Classes whose subclass is a declarative base (2.0): ``class Base(DeclarativeBase)``.
BASE_CLASSES = frozenset({
    "sqlalchemy.orm.DeclarativeBase", "sqlalchemy.orm.DeclarativeBaseNoMeta",
    "sqlalchemy.orm.decl_api.DeclarativeBase", "sqlalchemy.orm.decl_api.DeclarativeBaseNoMeta",
})  # fmt: skip
#: Class decorators: ``@as_declarative()`` makes the class a declarative base (1.x),
#: ``@mapper_registry.mapped`` maps the class it decorates.
BASE_DECORATORS = frozenset({
    "sqlalchemy.orm.as_declarative", "sqlalchemy.ext.declarative.as_declarative",
    "sqlalchemy.orm.decl_api.as_declarative", "sqlalchemy.orm.registry.as_declarative_base",
})  # fmt: skip
MAPPED_DECORATORS = frozenset({"sqlalchemy.orm.registry.mapped",
                               "sqlalchemy.orm.decl_api.registry.mapped"})  # fmt: skip
#: Flask-SQLAlchemy's extension: ``db = SQLAlchemy()`` makes ``db.Model`` a base.
FLASK_EXTENSIONS = frozenset(_FLASK_SQLALCHEMY)
#: ``db.Model`` of an extension made in this file.
FLASK_MODELS = frozenset(f"{ext}.Model" for ext in _FLASK_SQLALCHEMY)
#: The attribute of an extension that is the declarative base.
FLASK_MODEL_ATTRIBUTE = "Model"

_SQLALCHEMY = ("sqlalchemy", "sqlalchemy.schema", "sqlalchemy.sql.schema", *_FLASK_SQLALCHEMY)
_ORM = ("sqlalchemy.orm", "sqlalchemy.orm._orm_constructors", *_FLASK_SQLALCHEMY)

#: Column constructors, 1.x (``Column``, ``db.Column``) and 2.0 (``mapped_column``).
COLUMN_CALLS = frozenset(f"{m}.Column" for m in _SQLALCHEMY)
MAPPED_COLUMN_CALLS = frozenset(f"{m}.mapped_column" for m in _ORM)
#: ``ForeignKey("users.id")`` inside a column.
FOREIGN_KEY_CALLS = frozenset(f"{m}.ForeignKey" for m in _SQLALCHEMY)
#: ``relationship("Address", ...)`` (``relation`` is its 1.x alias) and ``backref("name")``.
RELATIONSHIP_CALLS = frozenset(
    f"{m}.{fn}" for m in _ORM for fn in ("relationship", "relation", "dynamic_loader")
)
BACKREF_CALLS = frozenset(f"{m}.backref" for m in _ORM)
#: ``@declared_attr`` (a mixin's column or ``__tablename__`` computed per class).
DECLARED_ATTR = frozenset({
    "sqlalchemy.orm.declared_attr", "sqlalchemy.ext.declarative.declared_attr",
    "sqlalchemy.orm.decl_api.declared_attr",
})  # fmt: skip
#: ``@validates("email")`` on a model's method.
VALIDATES = frozenset({"sqlalchemy.orm.validates", "sqlalchemy.orm.util.validates"})
#: The 2.0 annotation of a mapped attribute: ``name: Mapped[str]``.
MAPPED_ANNOTATIONS = frozenset({"sqlalchemy.orm.Mapped", "sqlalchemy.orm.base.Mapped"})
#: Annotations that make a ``Mapped[...]`` nullable.
OPTIONAL_ANNOTATIONS = frozenset({"typing.Optional", "typing_extensions.Optional"})

#: The names of these APIs, for a module that reaches them through an object of another file
#: (``from app import db`` then ``db.Column(...)``, ``db.relationship(...)``): matched on the
#: attribute only inside a class body (the ``orm-api-attribute`` heuristic).
COLUMN_NAMES = frozenset({"Column", "mapped_column"})
RELATIONSHIP_NAMES = frozenset({"relationship", "relation", "dynamic_loader"})
FOREIGN_KEY_NAMES = frozenset({"ForeignKey"})
BACKREF_NAMES = frozenset({"backref"})
#: Other ORMs, whose ``models.ForeignKey`` is not SQLAlchemy's (Django's are the django domain's).
FOREIGN_ORMS = frozenset({"django", "peewee", "pony", "tortoise", "mongoengine", "ormar",
                          "piccolo", "rest_framework"})  # fmt: skip
#: Class attributes that only a declarative class sets.
TABLENAME = "__tablename__"
DECLARATIVE_ATTRIBUTES = frozenset({"__table_args__", "__mapper_args__"})
ABSTRACT = "__abstract__"

# -- taint: rows of the database ---------------------------------------------------------------

#: The query property of a Flask-SQLAlchemy model (``User.query.get(id)``): a call off it
#: queries the model's table.
QUERY_PROPERTY = "query"
#: Methods that take a mapped class (or a statement over one) first and query its table:
#: ``session.get(User, id)``, ``db.get_or_404(User, id)``, ``session.query(User)``,
#: ``select(User)``, ``session.scalars(select(User).where(...))``.
MODEL_ARGUMENT_METHODS = frozenset({
    "get", "get_or_404", "get_one", "query", "select", "scalars", "scalar", "execute",
    "one_or_404", "first_or_404", "paginate",
})  # fmt: skip
#: Methods a query chain goes through (``.where``, ``.filter``, ``.first()``): the taint
#: engine learns from the orm model which calls of these query a mapped model's table, and
#: takes their result for rows of the database, not their arguments (as Django's queryset
#: fetches).
QUERY_METHODS = MODEL_ARGUMENT_METHODS | frozenset({
    "where", "filter", "filter_by", "order_by", "limit", "offset", "join", "outerjoin",
    "options", "distinct", "group_by", "having", "first", "one", "one_or_none", "all",
    "scalar_one", "scalar_one_or_none", "unique", "fetchall", "fetchone", "fetchmany",
    "with_for_update", "execution_options",
})  # fmt: skip
#: A query chain longer than this is not followed.
MAX_QUERY_CHAIN = 12

"""SQLAlchemy models on ``fixtures/orm`` (a Flask bookshop: Flask-SQLAlchemy models whose
extension is made in another module, a 1.x catalogue on a re-exported ``declarative_base()``,
2.0 ``DeclarativeBase`` models, one whose base is in another file): the model links bases and
mixins across files; the hover and workspace symbols read it; Django's models stay apart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from auditls.config import load_config
from auditls.extractors import extract
from auditls.facts.orm import OrmModelFact
from auditls.index import index_workspace
from auditls.models.orm import OrmModel, model_of, orm_fields
from auditls.server.hover import HoverContext, hover_markdown
from auditls.server.orm.hover import model_markdown, uses_markdown
from auditls.server.orm.symbols import models
from auditls.store import Store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PROJECT = FIXTURES / "orm"


@pytest.fixture(scope="module")
def store() -> Iterator[Store]:
    with Store.open(PROJECT, persist=False) as opened:
        index_workspace(PROJECT, opened, load_config(PROJECT), progress=False, snapshot=False)
        yield opened


def test_bases_are_followed_across_files(store: Store) -> None:
    orm = model_of(store)
    kinds = {q: (m.role, m.base_kind, m.table) for q, m in orm.models.items()}
    assert kinds["bookshop.extensions.db.Model"] == ("base", "flask_sqlalchemy", None)
    assert kinds["bookshop.models.User"] == ("model", "flask_sqlalchemy", "users")
    assert kinds["bookshop.models.BaseModel"] == ("model", "flask_sqlalchemy", None)
    assert kinds["bookshop.models.TimestampMixin"] == ("mixin", "none", None)
    # the legacy package re-exports its base; the 2.0 base is in another module of Rating's
    assert kinds["bookshop.legacy.catalog.Book"] == ("model", "declarative_base", "books")
    assert kinds["bookshop.ratings.Rating"] == ("model", "declarative_class", "ratings")
    assert "bookshop.models.NotAModel" not in kinds
    assert "bookshop.staff.Helper" not in kinds
    # a subclass of another file's model that only sets __mapper_args__
    assert kinds["bookshop.staff.Staff"] == ("model", "flask_sqlalchemy", "users")
    assert "password_hash" in orm.models["bookshop.staff.Staff"].field_names
    address = orm.models["bookshop.models.Address"]
    assert (address.table, address.generated) == ("address", True)  # Flask-SQLAlchemy's name
    assert not any(m.fact.abstract for m in orm.mapped())


def test_columns_include_mixins_and_abstract_bases(store: Store) -> None:
    orm = model_of(store)
    user = orm.model("bookshop.models.User")
    assert user is not None
    assert user.field_names == (
        "email", "password_hash", "api_token", "created_at", "updated_by", "id",
    )  # fmt: skip
    email = orm.fields_of("bookshop.models.User")[0]
    assert (email.column_type, email.unique, email.nullable) == ("String(120)", True, False)
    assert [r.fact.target for r in user.relationships] == ["Address", "Order"]
    assert [v.fact.fields for v in user.validators] == [("email",)]
    reviewer = {f.name: f for f in orm.fields_of("bookshop.reviews.Reviewer")}
    assert reviewer["bio"].nullable
    assert reviewer["bio"].style == "annotation"
    assert not reviewer["nickname"].nullable
    assert reviewer["nickname"].unique
    fields = orm_fields(store)
    assert "password_hash" in fields["bookshop.models.User"]
    assert [m.qualname for m in orm.models_named("Review")] == ["bookshop.reviews.Review"]


def test_the_hover_and_the_symbols(store: Store) -> None:
    text = model_markdown(model_of(store), "bookshop.models.User")
    assert text is not None
    assert text.startswith("**SQLAlchemy model** `bookshop.models.User` · table `users`")
    assert "| `email` | `String(120)` | unique, not null |" in text
    assert "| `id` | `Integer` | primary key, from `bookshop.models.BaseModel` |" in text
    assert "- `addresses` → `Address` (back_populates `user`, lazy `dynamic`)" in text
    assert "Validators: `validate_email` (`email`)" in text
    base = model_markdown(model_of(store), "bookshop.legacy.base.Base")
    assert base is not None
    assert "3 model(s) of the workspace" in base
    found = models(store, "review")
    assert [s.name for s in found] == ["Review · reviews", "Reviewer · reviewers"]
    assert found[0].path == "bookshop/reviews.py"


def test_the_hover_of_a_buffer_without_a_folder() -> None:
    text = (PROJECT / "bookshop" / "reviews.py").read_text()
    facts = extract(text.encode(), "bookshop/reviews.py")
    row = next(m for m in facts.of(OrmModelFact) if m.name == "Review")
    ctx = HoverContext(uri="file:///ws/bookshop/reviews.py", path="bookshop/reviews.py",
                       line=row.line, column=1, text=text, facts=facts, findings=(),
                       docs_base=None)  # fmt: skip
    shown = hover_markdown(ctx)
    assert shown is not None
    assert "`DeclarativeBase` (2.0)" in shown
    assert "- `reviewer` → `Reviewer` (back_populates `reviews`)" in shown
    assert OrmModel.from_files([facts]).model("bookshop.reviews.Base") is not None


def test_django_models_stay_in_the_django_domain() -> None:
    project = FIXTURES / "django"
    with Store.open(project, persist=False) as opened:
        index_workspace(project, opened, load_config(project), progress=False, snapshot=False)
        assert opened.facts_of_files(OrmModelFact, None) == {}


def test_a_call_that_reaches_a_model_shows_it(store: Store) -> None:
    orm = model_of(store)
    text = uses_markdown(orm, ("bookshop.models.User.query.filter_by",))
    assert text is not None
    assert text.startswith("**SQLAlchemy model** `bookshop.models.User` · table `users`")
    assert "`password_hash`" in text
    # `db.session.query(User)`: the argument names the model
    assert uses_markdown(orm, ("bookshop.db.session.query", "bookshop.models.User")) == text
    assert uses_markdown(orm, ("flask.request.args.get",)) is None
    assert uses_markdown(orm, ("bookshop.models.BaseModel",)) is not None  # abstract: still a model


DJANGO_LOOKALIKE = b"""
from django.db import models
from sqlalchemy.orm import relationship


class Author(models.Model):
    name = models.CharField(max_length=80)
    publisher = models.ForeignKey("Publisher", on_delete=models.CASCADE)


class Book(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="relationship")
"""


def test_django_fields_are_not_taken_for_sqlalchemy_columns() -> None:
    facts = extract(DJANGO_LOOKALIKE, "library/models.py")
    assert facts.of(OrmModelFact) == []

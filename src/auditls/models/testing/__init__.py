"""Tests, linked across files at query time: which fixture a test's parameter names (the
nearest definition), who uses a fixture, which tests reach a function (calls, patches,
doctests), which unittest classes are test cases through workspace bases, the coverage
exclusions the workspace configures. The algorithm is in ``model``'s docstring; the hover
(``auditls.server.testing``) reads it."""

from auditls.models.testing.model import Reach, TestingModel, model_of

__all__ = ["Reach", "TestingModel", "model_of"]

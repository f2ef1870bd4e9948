"""A row's check constraints validated in one query, not one query each.

Django's ``Model.validate_constraints`` (run by ``full_clean``, so by ``record_save`` and the admin's
forms) asks the database about each ``CheckConstraint`` on its own: a savepoint, a ``SELECT``, a
release, for every constraint of every row saved (a claim has eleven). ``ChecksInOneQuery`` asks the
same questions in one ``SELECT``, one column per constraint, with the same rules as
``CheckConstraint.validate``: the row's values as the query's values, a condition that is NULL passes
(``Coalesce(condition, True)`` where the database compares booleans), a constraint that names a field
left out (``exclude``: a field that already failed its own validation) is not checked, and a database
error lets each constraint be asked on its own (as Django does, which logs it and passes). Every other
constraint (unique ones) is validated by Django as before, and the errors are gathered the same way.
"""

from __future__ import annotations

from contextlib import nullcontext

from django.core.exceptions import FieldError, ValidationError
from django.db import DatabaseError, connections, models, router, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.sql import Query
from django.db.models.sql.constants import SINGLE


def failed_checks(
    model: type[models.Model],
    instance: models.Model,
    checks: list[models.CheckConstraint],
    exclude,
    using: str,
) -> list[models.CheckConstraint]:
    """The constraints of ``checks`` (plain ``CheckConstraint``s of ``model``) that ``instance`` fails."""
    against = instance._get_field_expression_map(meta=model._meta, exclude=exclude)
    connection = connections[using]
    query = Query(None)
    for name, value in against.items():
        query.add_annotation(
            value if hasattr(value, "resolve_expression") else Value(value), name, select=False
        )
    asked = []
    for constraint in checks:
        condition = Q(constraint.condition)
        if connection.features.supports_comparing_boolean_expr:
            answer = Coalesce(condition, True, output_field=BooleanField())
        else:  # NULL fails there, as in Django's WHERE without Coalesce
            answer = ExpressionWrapper(condition, output_field=BooleanField())
        try:
            query.add_annotation(answer, f"_check_{len(asked)}")
        except FieldError:  # it names an excluded field: not checked (CheckConstraint.validate)
            continue
        asked.append(constraint)
    if not asked:
        return []
    atomic = transaction.atomic(using=using) if connection.in_atomic_block else nullcontext()
    try:
        with atomic:
            row = query.get_compiler(using=using).execute_sql(SINGLE)
    except DatabaseError:
        return [c for c in asked if not Q(c.condition).check(against, using=using)]
    return [c for c, passed in zip(asked, row, strict=True) if not passed]


class ChecksInOneQuery:
    """Mixin of a model with check constraints: ``validate_constraints`` with one query for them all."""

    def validate_constraints(self, exclude=None):
        using = router.db_for_write(self.__class__, instance=self)
        errors = {}
        for model_class, model_constraints in self.get_constraints():
            checks = [c for c in model_constraints if type(c) is models.CheckConstraint]
            failed = (
                {id(c) for c in failed_checks(model_class, self, checks, exclude, using)} if checks else set()
            )
            for constraint in model_constraints:
                try:
                    if type(constraint) is not models.CheckConstraint:
                        constraint.validate(model_class, self, exclude=exclude, using=using)
                    elif id(constraint) in failed:
                        raise ValidationError(
                            constraint.get_violation_error_message(), code=constraint.violation_error_code
                        )
                except ValidationError as e:  # gathered as Model.validate_constraints does
                    if getattr(e, "code", None) == "unique" and len(constraint.fields) == 1:
                        errors.setdefault(constraint.fields[0], []).append(e)
                    else:
                        errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

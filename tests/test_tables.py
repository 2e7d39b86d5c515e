"""The light Core tables (powerlist.tables) agree with the mapped models, column by column.

The list commands read through them instead of the ORM; a column renamed or retyped in a
model must fail here, not in a user's `powerlist runs list`.
"""

from __future__ import annotations

import pytest
from sqlalchemy import String, TableClause, Text

from powerlist.models import Base
from powerlist.tables import LIGHT_TABLES

TEXTUAL = (String, Text)


def _kind(column_type: object) -> type:
    """The column's type class; String and Text count as one kind (both hold text)."""
    return String if isinstance(column_type, TEXTUAL) else type(column_type)


@pytest.mark.parametrize("light", LIGHT_TABLES, ids=lambda t: t.name)
def test_every_light_column_is_the_models_column(light: TableClause) -> None:
    mapped = Base.metadata.tables[light.name]
    for column in light.columns:
        assert column.name in mapped.columns, f"{light.name}.{column.name} is not in the model"
        model_type = mapped.columns[column.name].type
        assert _kind(column.type) is _kind(model_type), (
            f"{light.name}.{column.name}: {column.type!r} here, {model_type!r} in the model"
        )
        if isinstance(model_type, Text):
            assert isinstance(column.type, Text), f"{light.name}.{column.name} is Text"


def test_the_check_notices_a_wrong_type() -> None:
    from sqlalchemy import Integer, column, table

    wrong = table("runs", column("status", Integer))
    with pytest.raises(AssertionError, match=r"runs\.status"):
        test_every_light_column_is_the_models_column(wrong)

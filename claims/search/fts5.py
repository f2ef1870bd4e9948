"""SQLite's search index: one FTS5 table per searchable table, kept current by triggers.

``<table>_fts`` holds a copy of the searchable columns under the record's id as ``rowid``; three
triggers on the record's table (insert, update of those columns, delete) keep it current for
every write, ORM or raw SQL, ``QuerySet.update()`` included. The tokenizer lowercases, folds
diacritics and stems English words (Porter), close to PostgreSQL's ``english`` configuration.

The statements take the table and columns as arguments, so migration 0007 passes its own frozen
copy of the fields. Django rebuilds a SQLite table for many schema changes (copy, drop, rename),
and dropping a table drops its triggers: :meth:`FtsIndex.lost_triggers` lets a ``post_migrate`` hook
(``claims.search.repair_sqlite_index``) find and restore them. No Django import here.
"""

from __future__ import annotations

from dataclasses import dataclass

TOKENIZE = "porter unicode61 remove_diacritics 2"


@dataclass(frozen=True)
class FtsIndex:
    table: str  # the record's table
    pk: str  # its integer primary key column, the FTS rowid
    columns: tuple[str, ...]  # the searchable columns, in bm25 weight order

    @property
    def name(self) -> str:
        return f"{self.table}_fts"

    @property
    def triggers(self) -> tuple[str, ...]:
        return tuple(f"{self.name}_{event}" for event in ("insert", "update", "delete"))

    def _columns(self, prefix: str = "") -> str:
        return ", ".join(f'{prefix}"{column}"' for column in self.columns)

    def create(self) -> list[str]:
        """Create and fill the index and its triggers."""
        return [
            f"CREATE VIRTUAL TABLE \"{self.name}\" USING fts5({self._columns()}, tokenize='{TOKENIZE}')",
            *self.create_triggers(),
            *self.refill(),
        ]

    def create_triggers(self) -> list[str]:
        insert = (
            f'INSERT INTO "{self.name}"(rowid, {self._columns()}) '
            f'VALUES (new."{self.pk}", {self._columns("new.")});'
        )
        delete = f'DELETE FROM "{self.name}" WHERE rowid = old."{self.pk}";'
        on_insert, on_update, on_delete = self.triggers
        table = f'"{self.table}"'
        return [
            f'CREATE TRIGGER "{on_insert}" AFTER INSERT ON {table} BEGIN {insert} END',
            f'CREATE TRIGGER "{on_update}" AFTER UPDATE OF {self._columns()} ON {table} '
            f"BEGIN {delete} {insert} END",
            f'CREATE TRIGGER "{on_delete}" AFTER DELETE ON {table} BEGIN {delete} END',
        ]

    def refill(self) -> list[str]:
        """Index every row again (after writes the triggers did not see)."""
        return [
            f'DELETE FROM "{self.name}"',
            f'INSERT INTO "{self.name}"(rowid, {self._columns()}) '
            f'SELECT "{self.pk}", {self._columns()} FROM "{self.table}"',
        ]

    def drop(self) -> list[str]:
        return [*self.drop_triggers(), f'DROP TABLE IF EXISTS "{self.name}"']

    def drop_triggers(self) -> list[str]:
        return [f'DROP TRIGGER IF EXISTS "{trigger}"' for trigger in self.triggers]

    def lost_triggers(self, existing: set[str]) -> bool:
        """Whether the index exists (among ``existing`` schema names) but lost a trigger."""
        return self.name in existing and not existing.issuperset(self.triggers)

    def repair(self) -> list[str]:
        """Recreate the triggers, and index again the writes made while they were missing."""
        return [*self.drop_triggers(), *self.create_triggers(), *self.refill()]


EXISTING_NAMES_SQL = "SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')"

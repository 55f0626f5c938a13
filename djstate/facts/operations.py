"""Django's migration operations: names, parameters, and which carry no state."""

from __future__ import annotations

# Django's operations and their parameters, in signature order.
OPERATION_PARAMS: dict[str, tuple[str, ...]] = {
    "CreateModel": ("name", "fields", "options", "bases", "managers"),
    "DeleteModel": ("name",),
    "RenameModel": ("old_name", "new_name"),
    "AlterModelTable": ("name", "table"),
    "AlterModelTableComment": ("name", "table_comment"),
    "AlterUniqueTogether": ("name", "unique_together"),
    "AlterIndexTogether": ("name", "index_together"),
    "AlterOrderWithRespectTo": ("name", "order_with_respect_to"),
    "AlterModelOptions": ("name", "options"),
    "AlterModelManagers": ("name", "managers"),
    "AddField": ("model_name", "name", "field", "preserve_default"),
    "RemoveField": ("model_name", "name"),
    "AlterField": ("model_name", "name", "field", "preserve_default"),
    "RenameField": ("model_name", "old_name", "new_name"),
    "AddIndex": ("model_name", "index"),
    "RemoveIndex": ("model_name", "name"),
    "RenameIndex": ("model_name", "new_name", "old_name", "old_fields"),
    "AddConstraint": ("model_name", "constraint"),
    "RemoveConstraint": ("model_name", "name"),
    "AlterConstraint": ("model_name", "name", "constraint"),
    "SeparateDatabaseAndState": ("database_operations", "state_operations"),
    "RunSQL": ("sql", "reverse_sql", "state_operations", "hints", "elidable"),
    "RunPython": ("code", "reverse_code", "atomic", "hints", "elidable"),
}

# Operations from django.contrib.postgres: state effect of their base class, or none.
POSTGRES_OPERATIONS: dict[str, str] = {
    "AddIndexConcurrently": "AddIndex",
    "RemoveIndexConcurrently": "RemoveIndex",
    "AddConstraintNotValid": "AddConstraint",
    "ValidateConstraint": "RunPython",
    "CreateExtension": "RunPython",
    "BtreeGinExtension": "RunPython",
    "BtreeGistExtension": "RunPython",
    "CITextExtension": "RunPython",
    "CryptoExtension": "RunPython",
    "HStoreExtension": "RunPython",
    "TrigramExtension": "RunPython",
    "UnaccentExtension": "RunPython",
    "CreateCollation": "RunPython",
    "RemoveCollation": "RunPython",
}
_POSTGRES_PARAMS = {
    "AddIndexConcurrently": ("model_name", "index"),
    "RemoveIndexConcurrently": ("model_name", "name"),
    "AddConstraintNotValid": ("model_name", "constraint"),
}


def operation_kind(path: str) -> tuple[str | None, tuple[str, ...]]:
    """Django's operation name and parameters for a resolved class path, or (None, ())."""
    module, _, name = path.rpartition(".")
    if module.startswith("django.db.migrations") and name in OPERATION_PARAMS:
        return name, OPERATION_PARAMS[name]
    if module.startswith("django.contrib.postgres.operations") and name in POSTGRES_OPERATIONS:
        kind = POSTGRES_OPERATIONS[name]
        return kind, _POSTGRES_PARAMS.get(name, ())
    return None, ()

# Operations with no effect on the project state.
STATE_FREE = {"RunPython", "RunSQL"}

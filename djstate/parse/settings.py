"""Facts of a settings module, read statically: it is never imported."""

from __future__ import annotations

from djstate.facts.model import SettingsFacts
from djstate.parse.expressions import Scope


def extract_settings(scope: Scope) -> SettingsFacts:
    constants = scope.constants
    auth = constants.get("AUTH_USER_MODEL")
    auto = constants.get("DEFAULT_AUTO_FIELD")
    modules = constants.get("MIGRATION_MODULES")
    installed = constants.get("INSTALLED_APPS")
    return SettingsFacts(
        auth_user_model=auth if isinstance(auth, str) else None,
        default_auto_field=auto if isinstance(auto, str) else None,
        migration_modules=dict(modules) if isinstance(modules, dict) else {},
        star_imports=[i.module for i in scope.imports if i.names == ("*",)],
        strings={name: value if isinstance(value, str) else None for name, value in constants.items() if name.isupper()},
        installed_apps=(
            list(installed)
            if isinstance(installed, (list, tuple)) and all(isinstance(a, str) for a in installed)
            else None
        ),
    )

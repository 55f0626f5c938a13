"""The bundled bookshop: every deliberate mistake is marked `# djstate: expect CODE` where
it must be reported; djstate must report exactly those (issue-2 rules) and nothing else."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import expected_markers, run_scan

EXAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "example"


def test_example_findings_match_markers_exactly():
    result = run_scan(EXAMPLE)
    got = {(f.path, f.line, f.code) for f in result.findings}
    assert got == expected_markers(EXAMPLE)


def test_example_reads_settings_statically():
    result = run_scan(EXAMPLE)
    assert result.project.settings_path == "bookshop/settings.py"
    assert result.project.auth_user_model == "accounts.User"
    assert "shop_orders" in result.project.apps  # label from orders/apps.py


def test_settings_package_of_a_wheel_is_found_without_manage_py(tmp_path):
    # mayan-edms ships mayan/settings/{__init__,base,production}.py and no manage.py: the one
    # module of a settings package that defines INSTALLED_APPS is the settings
    from tests.conftest import write_project

    root = write_project(tmp_path, {
        "site/__init__.py": "",
        "site/settings/__init__.py": "from .base import *\n",
        "site/settings/base.py": "INSTALLED_APPS = ['shop']\nDEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n",
        "site/settings/production.py": "from .base import *\nDEBUG = False\n",
        "shop/__init__.py": "",
        "shop/models.py": "from django.db import models\n\nclass Item(models.Model):\n    name = models.TextField()\n",
    })
    result = run_scan(root)
    assert result.project.settings_path == "site/settings/base.py"
    assert result.project.settings.default_auto_field == "django.db.models.BigAutoField"


def test_two_settings_modules_defining_installed_apps_choose_none(tmp_path):
    from tests.conftest import write_project

    root = write_project(tmp_path, {
        "site/__init__.py": "",
        "site/settings/__init__.py": "",
        "site/settings/dev.py": "INSTALLED_APPS = ['shop']\n",
        "site/settings/prod.py": "INSTALLED_APPS = ['shop', 'extra']\n",
    })
    assert run_scan(root).project.settings_path is None


def test_example_findings_are_the_same_with_a_virtualenv_read(tmp_path):
    # the test venv holds Django and DRF: reading them as source must not silence anything
    # (Django's Model.__init__ sets every attname on self; that is not "any name on instances")
    import sysconfig

    from djstate.cache import FactsStore
    from djstate.config import load_config
    from djstate.engine import scan

    config = load_config(EXAMPLE, {"site_packages": (sysconfig.get_paths()["purelib"],)})
    with_venv = scan(EXAMPLE, config, FactsStore(EXAMPLE, None, jobs=1))
    got = {(f.path, f.line, f.code) for f in with_venv.findings}
    assert got == expected_markers(EXAMPLE)

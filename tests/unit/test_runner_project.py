"""[tool.nextorm] defaults: found upward, resolved against the pyproject folder, validated."""

from __future__ import annotations

import pytest

from nextorm.errors import MigrationError
from nextorm.migrations.project import find_config


def test_nearest_pyproject_wins_and_paths_are_relative_to_it(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.nextorm]\nmodule = "outer"\n')
    inner = tmp_path / "app"
    (inner / "src" / "deep").mkdir(parents=True)
    (inner / "pyproject.toml").write_text(
        '[tool.nextorm]\nmodule = "app.models"\ndb_attr = "main"\ndirectory = "db/mig"\n')
    config = find_config(inner / "src" / "deep")
    assert config.root == inner.resolve()
    assert config.get("module") == "app.models"
    assert config.get("db-attr") == "main"
    assert config.get("directory") == str(inner.resolve() / "db/mig")
    assert config.get("templates") is None


@pytest.mark.parametrize("body, message", [
    ('[tool.nextorm]\nmodul = "x"\n', "unknown key 'modul' in \\[tool.nextorm\\]"),
    ('[tool.nextorm]\nmodule = 3\n', "\\[tool.nextorm\\] module must be a string"),
    ('[tool.nextorm\n', "cannot read"),
])
def test_bad_config_is_one_clear_error(tmp_path, body, message):
    (tmp_path / "pyproject.toml").write_text(body)
    with pytest.raises(MigrationError, match=message):
        find_config(tmp_path)

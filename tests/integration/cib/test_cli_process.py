"""The real `dualroot` process: a bad config exits 2 with one line on stderr; render pipes into check."""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


def dualroot(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "dualroot", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(("toml_text", "key"), [
    ('[cluster]\nname = "x"\n[[nodes]]\nname = "a"\n', "nodes[0].cluster_addr"),
    ("[mount]\ndirectory = \"/\"\n", "nodes"),
])  # fmt: skip
def test_bad_config_exit_2_one_line(tmp_path, toml_text, key):
    config = tmp_path / "bad.toml"
    config.write_text(toml_text)
    result = dualroot("cib", "render", "--config", str(config))
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and f": {key}:" in result.stderr


def test_rendered_file_checks_clean(tmp_path):
    path = tmp_path / "cib.xml"
    render = dualroot("cib", "render")
    assert render.returncode == 0
    path.write_text(render.stdout)
    check = dualroot("cib", "check", "--cib", str(path))
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(" ok") == 5

"""`dualroot cib render`: every format, the committed templates, and bad configs (exit 2, one line)."""

from pathlib import Path

import pytest

from dualroot.cli import main
from tests.unit.cib.test_config import BAD_CONFIGS, _edit

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(("fmt", "marker"), [
    ("xml", '<primitive id="drbd_r0" class="ocf" provider="dualroot" type="drbd">'),
    ("pcs", "pcs -f dualroot-cib.xml resource create drbd_r0 ocf:dualroot:drbd"),
    ("crmsh", "primitive drbd_r0 ocf:dualroot:drbd"),
    ("drbd", 'fence-peer "/usr/lib/dualroot/dualroot-fence-peer fence";'),
    ("corosync", "two_node: 1"),
    ("mkfs", "/sbin/mkfs.ocfs2 --cluster-stack=pcmk --cluster-name=dualroot -N 2"),
])  # fmt: skip
def test_render_formats(capsys, fmt, marker):
    assert main(["cib", "render", "--format", fmt]) == 0
    assert marker in capsys.readouterr().out


def test_render_agents_override(capsys):
    assert main(["cib", "render", "--agents", "stock", "--format", "drbd"]) == 0
    assert '"/usr/lib/drbd/crm-fence-peer.sh"' in capsys.readouterr().out


TEMPLATES = {
    "lab-dualroot.xml": ["cib", "render"],
    "lab-stock.xml": ["cib", "render", "--agents", "stock"],
    "lab-web.xml": ["cib", "render", "--config", str(ROOT / "examples/lab-web.toml")],
    "shared-storage-3-nodes.xml": [
        "cib",
        "render",
        "--config",
        str(ROOT / "examples/shared-storage-3-nodes.toml"),
    ],
    "lab-dualroot.crm": ["cib", "render", "--format", "crmsh"],
    "lab-dualroot.pcs": ["cib", "render", "--format", "pcs"],
    "lab-ocfs2-mkfs.sh": ["cib", "render", "--format", "mkfs"],
}


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_templates_in_cib_dir_are_current(capsys, name):
    assert main(TEMPLATES[name]) == 0
    assert (ROOT / "cib" / name).read_text() == capsys.readouterr().out, (
        f"regenerate cib/{name} (cib/README.md)"
    )


def _toml(data, indent=""):
    """A tiny TOML writer for the test matrix (tables, arrays of tables, scalars)."""
    import json

    lines, tables = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {json.dumps(value)}")
    for key, value in tables:
        name = f"{indent}{key}"
        if isinstance(value, list):
            for item in value:
                lines.append(f"[[{name}]]")
                lines.append(_toml(item, f"{name}.").strip())
        else:
            scalars = {k: v for k, v in value.items() if not isinstance(v, dict)}
            lines.append(f"[{name}]")
            lines.append(_toml(scalars, f"{name}.").strip())
            for sub, subvalue in value.items():
                if isinstance(subvalue, dict):
                    lines.append(_toml({sub: subvalue}, f"{name}.").strip())
    return "\n".join(line for line in lines if line) + "\n"


@pytest.mark.parametrize(("path", "value", "key", "fix"), BAD_CONFIGS, ids=[c[2] for c in BAD_CONFIGS])
def test_bad_config_exits_2_with_one_line(tmp_path, capsys, path, value, key, fix):
    config = tmp_path / "bad.toml"
    config.write_text(_toml(_edit(path, value)))
    assert main(["cib", "render", "--config", str(config)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"dualroot: error: {config}: {key}:"), captured.err
    assert fix in lines[0]


def test_toml_writer_round_trips():
    import tomllib

    data = _edit(("web",), {"unit": "nginx"})
    assert tomllib.loads(_toml(data)) == data

"""The rendered mkfs.ocfs2 command, run by the real mkfs.ocfs2 on an image file: the volume it makes has
the slots, cluster size, label and features the config asked for (read back with tunefs.ocfs2 -Q)."""

import os
import subprocess
from dataclasses import dataclass, replace

import pytest

from dualroot import paths
from dualroot.cib.config import FeatureLevel, lab_config
from dualroot.cib.ocfs2_mkfs import mkfs_argv

TUNEFS = paths.TUNEFS_OCFS2
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not os.path.exists(paths.MKFS_OCFS2) or not os.path.exists(TUNEFS),
                       reason="needs ocfs2-tools (mkfs.ocfs2, tunefs.ocfs2)"),
]


def make_and_query(tmp_path, cfg):
    image = tmp_path / "volume.img"
    with open(image, "wb") as f:
        f.truncate(256 * 1024 * 1024)
    argv = mkfs_argv(replace(cfg, mount=replace(cfg.mount, device=str(image))))
    # -q and an answer on stdin: nothing else differs from the rendered command.
    subprocess.run([argv[0], "-q", *argv[1:]], input="y\n", capture_output=True, text=True,
                   timeout=120, check=True, env={"LC_ALL": "C", "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    out = subprocess.run([TUNEFS, "-Q", "%N|%T|%V|%U|%H %O\n", str(image)], capture_output=True,
                         text=True, timeout=60, check=True).stdout
    slots, cluster_size, label, volume_uuid, features = out.strip().split("|")
    return Volume(int(slots), int(cluster_size), label, volume_uuid, set(features.split()))


@dataclass(frozen=True)
class Volume:
    slots: int
    cluster_size: int
    label: str
    uuid: str  # as tunefs.ocfs2 -Q %U prints it, which is how OCFS2 names the volume's DLM lockspace
    features: set[str]


def test_the_default_level_leaves_out_metaecc_and_quotas(tmp_path):
    volume = make_and_query(tmp_path, lab_config())
    assert (volume.slots, volume.cluster_size, volume.label) == (2, 4096, "dualroot")
    assert {"userspace-stack", "inline-data", "indexed-dirs", "sparse", "unwritten"} <= volume.features
    assert not volume.features & {"metaecc", "usrquota", "grpquota"}


def test_the_volume_has_the_configs_uuid_and_dlm_conf_names_its_lockspace(tmp_path):
    from dualroot.cib.dlm_conf import render_dlm_conf

    cfg = lab_config()
    volume = make_and_query(tmp_path, cfg)
    assert volume.uuid == cfg.mount.lockspace == "592D4EFF9B344400923A1583F6F812AC"
    assert f"master {volume.uuid} node=1" in render_dlm_conf(cfg)


def test_max_features_has_them(tmp_path):
    cfg = lab_config()
    cfg = replace(cfg, mount=replace(cfg.mount, feature_level=FeatureLevel.MAX_FEATURES, slots=4))
    volume = make_and_query(tmp_path, cfg)
    assert volume.slots == 4
    assert {"metaecc", "usrquota", "grpquota"} <= volume.features

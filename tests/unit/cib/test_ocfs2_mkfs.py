"""The rendered mkfs.ocfs2 command: the config's stack, cluster, slots and feature level, as argv."""

import shlex
from dataclasses import replace

import pytest

from dualroot import paths
from dualroot.cib.config import FeatureLevel, Stack, lab_config
from dualroot.cib.ocfs2_mkfs import mkfs_argv, render_mkfs

pytestmark = pytest.mark.unit


def test_the_labs_volume():
    assert mkfs_argv(lab_config()) == [
        paths.MKFS_OCFS2, "--cluster-stack=pcmk", "--cluster-name=dualroot", "-N", "2", "-b", "4096",
        "-C", "4096", "--fs-feature-level=default", "-L", "dualroot",
        "-U", "592d4eff-9b34-4400-923a-1583f6f812ac", "/dev/drbd0",
    ]  # fmt: skip


def test_without_a_uuid_in_the_config_mkfs_picks_one():
    cfg = lab_config()
    cfg = replace(cfg, dlm_directory=None, mount=replace(cfg.mount, uuid=None))
    assert "-U" not in mkfs_argv(cfg)
    assert "-U:" not in render_mkfs(cfg)


def test_classic_stack_slots_and_feature_level_come_from_the_config():
    cfg = lab_config()
    cfg = replace(cfg, stack=Stack.O2CB,
                  mount=replace(cfg.mount, slots=4, feature_level=FeatureLevel.MAX_FEATURES))
    argv = mkfs_argv(cfg)
    assert "--cluster-stack=o2cb" in argv
    assert argv[argv.index("-N") + 1] == "4"
    assert "--fs-feature-level=max-features" in argv


def test_rendered_text_is_comments_and_the_same_argv_quoted():
    text = render_mkfs(lab_config())
    *comments, command = text.splitlines()
    assert all(line.startswith("# ") for line in comments)
    assert shlex.split(command) == mkfs_argv(lab_config())
    assert "drbdadm primary r0" in text and "erases /dev/drbd0" in text
    assert "metaecc" in text and "quotas" in text  # says what the default level leaves out, and why
    assert "# -U: the UUID from the config (mount.uuid); it names the volume's DLM lockspace" in text


def test_a_chosen_feature_level_is_named_not_explained_away():
    cfg = lab_config()
    text = render_mkfs(replace(cfg, mount=replace(cfg.mount, feature_level=FeatureLevel.MAX_FEATURES)))
    assert "--fs-feature-level=max-features: chosen in the config" in text
    assert "leaves out metaecc" not in text

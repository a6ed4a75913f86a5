"""The .deb and the .rpm, each built once per test session from a copy of the work tree."""

from pathlib import Path

import pytest

from dualroot.packaging import build_deb, build_rpm

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="session")
def deb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_deb(REPO, tmp_path_factory.mktemp("deb"))


@pytest.fixture(scope="session")
def rpm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_rpm(REPO, tmp_path_factory.mktemp("rpm"))

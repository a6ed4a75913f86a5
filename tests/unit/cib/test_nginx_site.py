"""The web tier's nginx site: the document root on the shared mount."""

import dataclasses

import pytest

from dualroot.cib.config import Web, lab_config
from dualroot.cib.nginx_site import render_nginx_site
from dualroot.errors import DualrootError

pytestmark = pytest.mark.unit


def test_site_serves_the_document_root_on_the_mount():
    text = render_nginx_site(dataclasses.replace(lab_config(), web=Web()))
    assert "    root /srv/ocfs2/www;" in text
    assert "listen 80 default_server;" in text
    assert text.count("{") == text.count("}")


def test_explicit_root():
    text = render_nginx_site(dataclasses.replace(lab_config(), web=Web(root="/srv/ocfs2/site")))
    assert "    root /srv/ocfs2/site;" in text


def test_no_web_section():
    with pytest.raises(DualrootError, match=r"no \[web\] section"):
        render_nginx_site(lab_config())

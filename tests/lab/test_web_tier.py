"""The web tier in the lab (issue 6, section 4): nginx cloned on top of the OCFS2 mount, and a page
written on either node is served by the other.

The test adds [web] to the lab's running stack with `apply` (one patch), checks, and takes it away
again (the second apply retires web-clone), so the other lab tests see the stack they expect.
"""

from __future__ import annotations

import dataclasses
import secrets

import pytest

from dualroot.cib.apply import apply_config
from dualroot.cib.config import Web
from dualroot.cib.nginx_site import NGINX_SITE_PATH, render_nginx_site
from dualroot.lab.deploy import lab_cluster_config
from tests.lab.conftest import lab_agents

pytestmark = pytest.mark.lab

WEB_UP_TIMEOUT = 180.0
# fetched with the guest's python3 (no curl in the image)
FETCH = (
    "import sys, urllib.request; "
    "sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode())"
)


def nginx_active_everywhere(lab) -> bool:
    return all(
        lab.run(node, ["systemctl", "is-active", "nginx"], timeout=20).stdout.strip() == "active"
        for node in lab.nodes
    )


@pytest.fixture
def web_lab(lab):
    base = lab_cluster_config(lab_agents())
    cfg = dataclasses.replace(base, web=Web())
    root = cfg.web.document_root(cfg.mount)
    site = render_nginx_site(cfg)
    for node in lab.nodes:
        lab.run(node, ["rm", "-f", "/etc/nginx/sites-enabled/default"], timeout=20).check()
        lab.run(node, ["sh", "-c", 'cat > "$1"', "write", NGINX_SITE_PATH], input=site, timeout=20).check()
    lab.run(lab.nodes[0], ["mkdir", "-p", root], timeout=20).check()
    run = lab.runner(lab.nodes[0], timeout=120)
    try:
        assert apply_config(run, cfg).pushed
        assert not apply_config(run, cfg).changed  # idempotent on the live cluster too
        lab.wait_for("nginx active on every node", lambda: nginx_active_everywhere(lab), WEB_UP_TIMEOUT, 2.0)
        yield lab, root
    finally:
        apply_config(run, base)  # retires web-clone and its constraints
        for node in lab.nodes:
            lab.run(node, ["rm", "-f", NGINX_SITE_PATH], timeout=20)


@pytest.mark.parametrize(("writer", "reader"), [("node1", "node2"), ("node2", "node1")])
def test_page_written_on_one_node_is_served_by_the_other(web_lab, writer, reader):
    lab, root = web_lab
    token = secrets.token_hex(8)
    page = f"page-{writer}-{token}.html"
    body = f"<p>written on {writer}: {token}</p>\n"
    lab.run(writer, ["sh", "-c", 'cat > "$1" && sync "$1"', "write", f"{root}/{page}"], input=body).check()
    served = lab.run(reader, ["python3", "-c", FETCH, f"http://127.0.0.1/{page}"], timeout=30).check().stdout
    assert served == body
    lab.run(reader, ["rm", "-f", f"{root}/{page}"]).check()

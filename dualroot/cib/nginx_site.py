"""The nginx site for the web tier: every node serves the same document root on the OCFS2 mount."""

from __future__ import annotations

from dualroot.cib.config import ClusterConfig
from dualroot.errors import DualrootError

# Where Debian's nginx reads extra server blocks; the packaged default site (sites-enabled/default)
# also claims default_server on port 80, so it has to go when this one is installed.
NGINX_SITE_PATH = "/etc/nginx/conf.d/dualroot-web.conf"


def render_nginx_site(cfg: ClusterConfig) -> str:
    if cfg.web is None:
        raise DualrootError("the config has no [web] section", 'add [web] with unit = "nginx"')
    root = cfg.web.document_root(cfg.mount)
    return "\n".join(
        [
            f"# nginx site for cluster {cfg.name}: {NGINX_SITE_PATH} on every node",
            "# rendered by `dualroot cib render --format nginx`. Pacemaker starts nginx only where the",
            f"# OCFS2 mount {cfg.mount.directory} is up, so it never serves an empty directory.",
            "server {",
            "    listen 80 default_server;",
            "    listen [::]:80 default_server;",
            f"    root {root};",
            "    index index.html;",
            "    location / {",
            "        try_files $uri $uri/ =404;",
            "    }",
            "}",
            "",
        ]
    )

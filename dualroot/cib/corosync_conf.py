"""corosync.conf (corosync 3, knet) rendered from the cluster config."""

from __future__ import annotations

from dualroot.cib.config import ClusterConfig


def render_corosync_conf(cfg: ClusterConfig) -> str:
    """The whole /etc/corosync/corosync.conf for every node (corosync wants the same file everywhere)."""
    two_node = len(cfg.nodes) == 2
    lines = [
        f"# corosync 3 (knet) for cluster {cfg.name}; rendered by `dualroot cib render --format corosync`",
        "totem {",
        "    version: 2",
        f"    cluster_name: {cfg.name}",
        "    transport: knet",
    ]
    if cfg.crypto:
        lines += [
            "    # Encrypted and signed links: every node needs the same /etc/corosync/authkey",
            "    # (corosync-keygen on one node, copied to the others, mode 0400).",
            "    crypto_cipher: aes256",
            "    crypto_hash: sha256",
        ]
    else:
        lines += [
            "    # Plain links (cluster.crypto = false): only for private point-to-point links like the",
            "    # lab's; set crypto = true on any network other hosts can reach.",
            "    crypto_cipher: none",
            "    crypto_hash: none",
        ]
    lines += [
        "    # A lost node is noticed after token + consensus (1.2 x token): about 7 s with 3000 ms,",
        "    # which stays clear of false failovers on a loaded virtual machine.",
        f"    token: {cfg.token_ms}",
        "}",
        "nodelist {",
    ]
    for node in cfg.nodes:
        lines += [
            "    node {",
            f"        ring0_addr: {node.cluster_addr}",
            f"        name: {node.name}",
            f"        nodeid: {node.nodeid}",
            "    }",
        ]
    lines += [
        "}",
        "quorum {",
        "    provider: corosync_votequorum",
    ]
    if two_node:
        lines += [
            "    # Two nodes: the survivor keeps quorum (and fences the other) instead of freezing with",
            "    # no-quorum-policy=freeze; two_node also turns on wait_for_all, so a node booting alone",
            "    # waits for its peer rather than fencing it.",
            "    two_node: 1",
        ]
    lines += [
        "}",
        "logging {",
        "    to_logfile: yes",
        "    logfile: /var/log/corosync/corosync.log",
        "    to_syslog: yes",
        "    timestamp: on",
        "}",
    ]
    return "\n".join(lines) + "\n"

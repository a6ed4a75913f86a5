"""The OCFS2 cluster stack: dlm_controld (pcmk) and the classic o2cb stack, the o2cb agent."""

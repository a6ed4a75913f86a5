"""The OCFS2 cluster mount: holders, monitor depths, the ocfs2 agent."""

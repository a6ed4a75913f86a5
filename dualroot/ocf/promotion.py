"""Promotion scores through `crm_attribute --promotion`, or `crm_master` on old Pacemaker.

Which form is chosen by capability, as ocf-shellfuncs' ocf_promotion_score does: Pacemaker feature set
3.10.0 (2.1.0) brought `crm_attribute --promotion` and deprecated `crm_master`. A score update never
fails an action: an attribute daemon that hangs once in ten thousand calls (drbd-utils 077a313e)
must not turn a healthy monitor into a failure, so errors are logged and reported as False.
"""

from dualroot import paths
from dualroot.ocf.environment import OcfEnvironment
from dualroot.ocf.errors import OcfError
from dualroot.ocf.log import AgentLog
from dualroot.ocf.runner import Runner

PROMOTION_OPTION_SINCE = (3, 10, 0)
# A score update may use at most this share of what is left of the operation's budget.
SCORE_BUDGET_SHARE = 0.3


def parse_feature_set(text: str) -> tuple[int, ...] | None:
    """'3.16.1' -> (3, 16, 1); None when absent or unparsable."""
    try:
        return tuple(int(part) for part in text.strip().split(".")) if text.strip() else None
    except ValueError:
        return None


def uses_promotion_option(feature_set: str) -> bool:
    """True when `crm_attribute --promotion` is available; unknown feature sets count as new."""
    parsed = parse_feature_set(feature_set)
    return parsed is None or parsed >= PROMOTION_OPTION_SINCE


def score_argv(env: OcfEnvironment, score: int | None) -> list[str]:
    """The command that sets (score given) or deletes (None) this instance's promotion score."""
    value = ["-v", str(score)] if score is not None else ["-D"]
    if uses_promotion_option(env.feature_set):
        option = f"--promotion={env.resource_instance}" if env.resource_instance else "--promotion"
        return [paths.CRM_ATTRIBUTE, option, "-l", "reboot", *value]
    return [paths.CRM_MASTER, "-l", "reboot", *value]


class PromotionScores:
    """Sets and clears this node's promotion score for the resource the agent runs for."""

    def __init__(self, runner: Runner, env: OcfEnvironment, log: AgentLog) -> None:
        self._runner = runner
        self._env = env
        self._log = log

    def set(self, score: int) -> bool:
        return self._apply(score)

    def clear(self) -> bool:
        return self._apply(None)

    def _apply(self, score: int | None) -> bool:
        argv = score_argv(self._env, score)
        what = f"promotion score {score}" if score is not None else "promotion score removal"
        try:
            result = self._runner.run(argv, timeout=max(1.0, self._runner.remaining() * SCORE_BUDGET_SHARE))
        except OcfError as exc:
            self._log.warning(f"{what} not applied: {exc.reason}")
            return False
        if not result.ok:
            # crm_attribute -D on an absent attribute exits 0; anything else is worth a warning only.
            self._log.warning(f"{what} not applied: {result.first_error_line()}")
            return False
        self._log.debug(f"{what} applied")
        return True

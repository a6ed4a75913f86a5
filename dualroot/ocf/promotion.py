"""Promotion scores through `crm_attribute --promotion`, or `crm_master` on old Pacemaker.

Which form is chosen by capability, as ocf-shellfuncs' ocf_promotion_score does: Pacemaker feature set
3.10.0 (2.1.0) brought `crm_attribute --promotion` and deprecated `crm_master`. A score update never
fails an action: an attribute daemon that hangs once in ten thousand calls (drbd-utils 077a313e)
must not turn a healthy monitor into a failure, so errors are logged and reported as False.

A recurring monitor, a promote, a demote or a notify does not re-send a score it sent itself less than
SCORE_REFRESH_S ago: in the lab `crm_attribute` (a CIB connection and an attrd update) was most of a
monitor's time, 0.6-3.4 s under TCG, to tell attrd a value it already held; and a cold start paid it
three times more per node on the way to the mount (post-start notify, promote, post-promote notify),
for the score the start had just sent. A changed score always goes out at once. Probes and starts
always send: they are what runs after Pacemaker itself restarted, when the record in HA_RSCTMP may
outlive the attribute (a stop clears both). The value can otherwise vanish behind our back only if an
admin deletes it or attrd loses its state on every node at once.
Pacemaker then acts on the missing score at its next transition, before any monitor could re-send it,
whether monitors re-send every time (as ocf:linbit:drbd does) or every SCORE_REFRESH_S: the record
changes how soon a lost score comes back by itself, not what happens meanwhile.
"""

from dualroot import paths
from dualroot.ocf.environment import OcfEnvironment
from dualroot.ocf.errors import OcfError
from dualroot.ocf.log import AgentLog
from dualroot.ocf.runner import Runner

PROMOTION_OPTION_SINCE = (3, 10, 0)
# A score update may use at most this share of what is left of the operation's budget.
SCORE_BUDGET_SHARE = 0.3
# How long a recurring monitor trusts that attrd still holds the score it sent (see above).
SCORE_REFRESH_S = 300.0
# Actions that, like a recurring monitor, run only while this instance's start is in force.
SKIPPING_ACTIONS = frozenset({"promote", "demote", "notify"})


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
        if self._may_skip and self._sent_recently(score):
            self._log.debug(f"promotion score {score} unchanged: not sent again")
            return True
        applied = self._apply(score)
        record = f"{score} {self._runner.monotonic():.3f}\n" if applied else None  # a failed send is retried
        self._runner.write_state(self._state_name, record)
        return applied

    def clear(self) -> bool:
        self._runner.write_state(self._state_name, None)
        return self._apply(None)

    @property
    def _may_skip(self) -> bool:
        """Whether an unchanged, recently sent score may be left as attrd holds it (see above)."""
        return self._env.interval_ms > 0 or self._env.action in SKIPPING_ACTIONS

    @property
    def _state_name(self) -> str:
        instance = self._env.resource_instance or "default"
        return "dualroot-promotion-" + "".join(c if c.isalnum() or c in "-_." else "_" for c in instance)

    def _sent_recently(self, score: int) -> bool:
        """This score went out less than SCORE_REFRESH_S ago, by our own record (CLOCK_MONOTONIC is
        the same for every process of a boot, and HA_RSCTMP is emptied at boot)."""
        words = (self._runner.read_state(self._state_name) or "").split()
        try:
            sent, when = int(words[0]), float(words[1])
        except (IndexError, ValueError):
            return False
        return sent == score and 0.0 <= self._runner.monotonic() - when < SCORE_REFRESH_S

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

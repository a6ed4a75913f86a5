"""`apply` step by step with a scripted runner that fails on any command it does not expect."""

from collections.abc import Sequence

import pytest

from dualroot.cib.apply import apply_config, summarize_patch
from dualroot.cib.cib_xml import empty_cib, to_text
from dualroot.cib.config import lab_config
from dualroot.command import CommandResult
from dualroot.errors import DualrootError

pytestmark = pytest.mark.unit

PATCH = """<diff format="2">
  <change operation="create" path="/cib/configuration/resources" position="0">
    <clone id="o2cb-clone"/>
  </change>
  <change operation="modify" path="/cib/configuration/crm_config/cluster_property_set/nvpair[@id='n']">
    <change-list><change-attr name="value" operation="set" value="freeze"/></change-list>
    <change-result><nvpair id="n" name="no-quorum-policy" value="freeze"/></change-result>
  </change>
  <change operation="delete" path="/cib/configuration/resources/clone[@id='dlm-clone']"/>
</diff>"""


class ScriptedRunner:
    """Answers each expected command (matched by its program and first option) in order."""

    def __init__(self, script: list[tuple[tuple[str, str], int, str]]) -> None:
        self.script = list(script)
        self.calls: list[list[str]] = []

    def __call__(self, argv: Sequence[str], input: str | None = None) -> CommandResult:
        self.calls.append(list(argv))
        assert self.script, f"unexpected command {argv[:2]}"
        (program, option), rc, stdout = self.script.pop(0)
        assert (argv[0].rsplit("/", 1)[-1], argv[1]) == (program, option), (
            f"expected {program} {option}, got {argv}"
        )
        return CommandResult(tuple(argv), rc, stdout, "" if rc in (0, 1) else "boom", 0.0)


LIVE = to_text(empty_cib())


# The steps of an apply, as ScriptedRunner answers them.
def query(live: str = LIVE) -> tuple[tuple[str, str], int, str]:
    return ("cibadmin", "--query"), 0, live


DIFFERS = (("crm_diff", "--no-version"), 1, PATCH)
SAME = (("crm_diff", "--no-version"), 0, "")
VERIFIED = (("crm_verify", "--xml-text"), 0, "")
PATCHED = (("cibadmin", "--patch"), 0, "")


def test_nothing_to_change_pushes_nothing():
    run = ScriptedRunner([query(), SAME])
    result = apply_config(run, lab_config())
    assert (result.changed, result.pushed, result.diff, result.summary) == (False, False, "", ())
    assert run.script == []


def test_change_is_verified_pushed_once_and_rechecked():
    run = ScriptedRunner([query(), DIFFERS, VERIFIED, PATCHED, query(), SAME])
    result = apply_config(run, lab_config())
    assert result.changed and result.pushed and result.diff == PATCH
    assert run.script == []
    patch_call = run.calls[3]
    assert patch_call[1:3] == ["--patch", "--xml-text"] and patch_call[3] == PATCH


def test_verify_failure_pushes_nothing():
    run = ScriptedRunner([query(), DIFFERS, (("crm_verify", "--xml-text"), 78, "")])
    with pytest.raises(DualrootError, match="fails crm_verify"):
        apply_config(run, lab_config())
    assert not any("--patch" in argv for argv in run.calls)


def test_not_converged_after_push_is_an_error():
    run = ScriptedRunner([query(), DIFFERS, VERIFIED, PATCHED, query(), DIFFERS])
    with pytest.raises(DualrootError, match="still differs"):
        apply_config(run, lab_config())


def test_query_failure_is_one_error():
    run = ScriptedRunner([(("cibadmin", "--query"), 102, "")])
    with pytest.raises(DualrootError, match="exit code 102"):
        apply_config(run, lab_config())


def test_dry_run_stops_before_the_patch():
    run = ScriptedRunner([query(), DIFFERS, VERIFIED])
    result = apply_config(run, lab_config(), dry_run=True)
    assert result.changed and not result.pushed and run.script == []


def test_summarize_patch():
    assert summarize_patch(PATCH) == (
        "create clone o2cb-clone in /cib/configuration/resources",
        "modify /cib/configuration/crm_config/cluster_property_set/nvpair[@id='n']: value=freeze",
        "delete /cib/configuration/resources/clone[@id='dlm-clone']",
    )


def test_verify_sees_the_configuration_without_nodes_and_status():
    # with nodes but no status crm_verify reports unclean nodes (exit 78), which would block every apply
    live = LIVE.replace("<nodes/>", '<nodes><node id="1" uname="node1"/></nodes>').replace(
        "<status/>", '<status><node_state id="1" uname="node1"/></status>'
    )
    run = ScriptedRunner([query(live), DIFFERS, VERIFIED])
    apply_config(run, lab_config(), dry_run=True)
    verified = run.calls[2][2]
    assert "<node " not in verified and "node_state" not in verified and "<primitive" in verified
    diffed = run.calls[1]
    assert "node_state" not in diffed[3] and '<node id="1"' in diffed[3]


def running_dualroot_cib(stop_all: bool = False) -> str:
    """The lab's dualroot stack as the live CIB, with history for drbd_r0:0 and o2cb:1 (it has run)."""
    from dualroot.cib.cib_xml import merge_plan
    from dualroot.cib.model import plan_stack

    text = to_text(merge_plan(empty_cib(), plan_stack(lab_config())))
    if stop_all:
        stop_all = '<nvpair id="sa" name="stop-all-resources" value="true"/>'
        text = text.replace("</cluster_property_set>", stop_all + "</cluster_property_set>", 1)
    return text.replace("<status/>", '<status><node_state id="1" uname="node1"><lrm id="1"><lrm_resources>'
                        '<lrm_resource id="drbd_r0:0" type="drbd" class="ocf" provider="dualroot"/>'
                        '<lrm_resource id="o2cb:1" type="o2cb" class="ocf" provider="dualroot"/>'
                        "</lrm_resources></lrm></node_state></status>")


SET_STOP_ALL = (("crm_attribute", "--type"), 0, "")
SETTLED = (("crm_resource", "--wait"), 0, "")


def test_an_agent_swap_of_running_resources_stops_everything_first():
    from dualroot.cib.config import Agents, with_agents

    run = ScriptedRunner([query(running_dualroot_cib()), DIFFERS, VERIFIED, SET_STOP_ALL, SETTLED, PATCHED,
                          SET_STOP_ALL, query(), SAME])
    said: list[str] = []
    result = apply_config(run, with_agents(lab_config(), Agents.STOCK), progress=said.append)
    assert run.script == [] and result.pushed and len(said) == 1 and "drbd_r0, o2cb" in said[0]
    assert result.swapped == ("drbd_r0", "o2cb") and "stop every resource first" in result.summary[0]
    assert run.calls[3][-4:] == ["--name", "stop-all-resources", "--update", "true"]
    assert run.calls[6][-3:] == ["--name", "stop-all-resources", "--delete"]


def test_a_swap_that_does_not_stop_in_time_changes_nothing_else():
    from dualroot.cib.config import Agents, with_agents

    run = ScriptedRunner([query(running_dualroot_cib()), DIFFERS, VERIFIED, SET_STOP_ALL,
                          (("crm_resource", "--wait"), 124, "")])
    with pytest.raises(DualrootError, match="did not stop within"):
        apply_config(run, with_agents(lab_config(), Agents.STOCK))
    assert not any("--patch" in argv for argv in run.calls)


def test_an_admins_own_stop_all_is_left_alone():
    from dualroot.cib.config import Agents, with_agents

    live = running_dualroot_cib(stop_all=True)
    run = ScriptedRunner([query(live), DIFFERS, VERIFIED, PATCHED, query(), SAME])
    result = apply_config(run, with_agents(lab_config(), Agents.STOCK))
    assert result.swapped and run.script == []


def test_a_parameter_change_on_the_same_agents_stops_nothing():
    import dataclasses

    cfg = dataclasses.replace(lab_config(), dlm_toss_secs=120)
    run = ScriptedRunner([query(running_dualroot_cib()), DIFFERS, VERIFIED, PATCHED, query(), SAME])
    assert apply_config(run, cfg).swapped == () and run.script == []

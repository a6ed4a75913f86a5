"""The agent framework for dualroot's OCF resource agents (standard library only).

Import the module you need, not this package's names: an agent imports only what its action uses.

Public API (stable; other agents build on it):

- `dualroot.ocf.exitcodes.OcfExit` — the OCF 1.1 codes, used like an IntEnum (ints with `.name`,
  `OcfExit(7) is OcfExit.NOT_RUNNING`, ValueError for unknown codes; built on
  `dualroot.ocf.named_values.NamedInt`, which spares agents the `enum` import):
  SUCCESS 0, ERR_GENERIC 1, ERR_ARGS 2, ERR_UNIMPLEMENTED 3, ERR_PERM 4, ERR_INSTALLED 5,
  ERR_CONFIGURED 6, NOT_RUNNING 7, RUNNING_PROMOTED 8, FAILED_PROMOTED 9, DEGRADED 190, DEGRADED_PROMOTED 191.
- `dualroot.ocf.errors.OcfError(code, reason)` — the one error type; `reason` is one sentence.
- `dualroot.ocf.environment.process_environ()` — the process environment as text without importing `os`
  (os.environ when `os` is loaded, else posix.environ decoded as `os` does).
- `dualroot.ocf.environment.OcfEnvironment.from_environ(environ, action)` — `.params` (OCF_RESKEY_*),
  `.meta` (CRM_meta_*), `.resource_instance`, `.check_level`, `.feature_set`, `.timeout_s`,
  `.interval_ms`, `.is_probe`, `.node_name`, `.clone_max`, `.clone_node_max`, `.promoted_max`,
  `.promoted_node_max` (old master_* names as fallback), `.notify_enabled`, `.notify` ->
  `NotifyInfo(type, operation, unames, resources)` with `.nodes(kind)` for kind in
  active/inactive/start/stop/promote/demote/promoted/unpromoted/available/all (master/slave fallback).
- `dualroot.ocf.runner` — `Runner` protocol: `run(argv, *, input=None, timeout=None) -> CommandResult`
  (rc, stdout, stderr, .ok, .first_error_line()), `read_text(path) -> str | None`, `monotonic()`,
  `sleep(s)`, `remaining()`; `SubprocessRunner(timeout_s=, log=, tool_root=)`: LC_ALL=C, argv lists,
  per-command timeout within 90 % of the op timeout; OcfError on timeout (1), missing program (5),
  no permission (4). `DUALROOT_TOOL_ROOT` in the environment prefixes every absolute tool/file path.
- `dualroot.ocf.log.AgentLog` — `.debug/.info/.warning/.error(msg)`; HA_LOGFACILITY, HA_LOGFILE,
  HA_DEBUGLOG, HA_debug, else stderr. `NullLog()` for library callers.
- `dualroot.ocf.promotion.PromotionScores(runner, env, log)` — `.set(score) -> bool`, `.clear() -> bool`;
  `crm_attribute --promotion=<instance> -l reboot -v N|-D`, `crm_master` below feature set 3.10.0;
  never raises; a recurring monitor does not re-send the score it sent within SCORE_REFRESH_S.
  Also `score_argv(env, score)`, `uses_promotion_option(feature_set)`.
- `dualroot.ocf.metadata` — `AgentMetadata(name, version, shortdesc, longdesc, parameters, actions,
  provider="dualroot", examples=(), see_also=())`, `Parameter(name, shortdesc, longdesc,
  content=ContentType.STRING|INTEGER|BOOLEAN, default=None, required=False, unique_group=None,
  reloadable=False, choices=(), pattern=None, pattern_hint="", minimum=None, maximum=None,
  allowed_chars="", prefix="")` (`allowed_chars`/`prefix`: a syntax check without `re`; such values
  may not start with "-"), `ContentType`/`Role` (NamedStr: `.value` is the OCF spelling),
  `Action(name, timeout, interval=None, depth=None, role=Role.PROMOTED|UNPROMOTED|None, start_delay=None)`
  (seconds), `Example(title, pcs, crmsh)`, `render_metadata(md) -> str` (OCF 1.1 + ocf-tester DOCTYPE).
- `dualroot.ocf.parameters.validate_parameters(md, params) -> ParameterValues` (`.text(n)`,
  `.integer(n)`, `.flag(n)`, `.has(n)`, `.given`); raises OcfError(ERR_CONFIGURED, "parameter X ...").
- `dualroot.ocf.dispatcher` — `Agent(metadata, handlers={"start": fn, ...})`; a handler takes an
  `ActionContext` (`.env`, `.params`, `.runner`, `.log`, `.action`, `.is_probe`, `.scores`) and returns
  an `OcfExit` or `Outcome(code, reason)` (a reason without an error, e.g. 190/191), or raises OcfError.
  `run_agent(agent, argv=None, environ=None, *, stdout=None, stderr=None, runner_factory=None) -> int`.
  meta-data/usage/methods are built in; unknown action -> 3; reasons -> `ocf-exit-reason:` on stderr.
  `exit_process(code)` flushes stdout/stderr and ends the process with `_exit` (an agent's `main()`:
  `exit_process(run_agent(AGENT))`; interpreter finalization would cost every monitor ~2 ms).
- `dualroot.ocf.manpage.render_manpage(md) -> str` — the roff man page ocf_<provider>_<name>(7);
  `python3 -m dualroot.ocf.manpage module:METADATA man/ocf_<provider>_<name>.7` writes it.
- `dualroot.ocf.record.Record` — the base of every record above: typed (PEP 681 for mypy), immutable,
  keyword/positional construction, `==`, hash, `_replace`; no typing/dataclasses import at run time.
- `dualroot.ocf.fakerunner.FakeRunner(files={path: text|None}, budget_s=60)` — for unit tests:
  `.expect(argv, rc=0, stdout="", stderr="", error=None, effect=None)`, `.allow(...)` (repeatable),
  `.assert_done()`, `.calls`, `.ran(*argv)`, virtual clock `.now`; an unexpected command or file read
  raises UnexpectedCall (a BaseException, so no handler can swallow it).

Start-up cost matters (an agent is a new process on every monitor): import only what an action uses
(no `os`: `posix` has the same calls), postpone annotations (`from __future__ import annotations`), keep
typing-only imports under `TYPE_CHECKING = False` / `if TYPE_CHECKING:`, build records on `Record`, and
end with `exit_process`.
"""

import * as core from '@actions/core';
import type { HostConfig } from '../config/index.js';
import { execOutput } from '../report/exec.js';
import type { RunReport } from '../report/report.js';
import { maskedSoFar } from './inputs.js';

/** The hosts as the `hosts` output lists them: a host whose name came from a secret (`${NAME}`) is `***`. */
export function hostsOutput(hosts: readonly HostConfig[]): string[] {
  return hosts.map((h) => (h.masked ? '***' : h.name));
}

/** The commands whose `release` is a release they make live (stage: hold); `attempted-release` names it for them. */
const RELEASE_COMMANDS: readonly string[] = ['deploy', 'redeploy', 'rollback', 'switch', 'stage'];

/**
 * The release outputs: `release` only when it is true, that the release is live (`releases`: the live one), so a step
 * after a failed run (`if: always()`, a notification) never reads a name as if it shipped. `stage` is the exception:
 * its `release` names the run's release for the next jobs (switch, or discard after a failure), whatever happened.
 * `attempted-release` is the release a run tried to make live, set whether or not it went live.
 */
export function releaseOutputs(report: RunReport): { release: string; path: string; attempted: string } {
  const attempted = RELEASE_COMMANDS.includes(report.command) ? (report.release ?? '') : '';
  const live = report.command !== 'discard' && (report.ok || report.command === 'stage');
  return {
    release: live ? (report.release ?? '') : '',
    path: report.ok && report.command !== 'discard' ? (report.releasePath ?? '') : '',
    attempted,
  };
}

/** Sets the step outputs users wire into later steps and `environment.url`. */
export function setOutputs(report: RunReport, hosts: string[]): void {
  const release = releaseOutputs(report);
  core.setOutput('release', release.release);
  core.setOutput('release-path', release.path);
  core.setOutput('attempted-release', release.attempted);
  core.setOutput('previous-release', report.previous ?? '');
  core.setOutput('url', report.url ?? '');
  core.setOutput('hosts', JSON.stringify(hosts));
  const hook = hookStepOutputs(report, maskedSoFar());
  core.setOutput('outputs', JSON.stringify(hook.outputs));
  for (const [name, value] of hook.flat) core.setOutput(`hook-${name}`, value);
  for (const w of hook.warnings) core.warning(w);
  core.setOutput('exec', report.exec ? execOutput(report.exec) : '');
}

/** Each secret piece in `text` replaced by `***` (longest first: a secret that holds another is masked whole). */
export function maskText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of [...secrets].sort((a, b) => b.length - a.length))
    if (s && out.includes(s)) out = out.split(s).join('***');
  return out;
}

/**
 * What the hooks wrote to `$DEPLOY_OUTPUT`, as step outputs: `outputs`, {"<host>": {"<name>": "<value>"}} in config
 * order, hosts named as the `hosts` output names them (a second host from a secret is `*** (2)`), and a flat
 * `hook-<name>` for the first host that wrote the name. Secrets in values become `***` (the runner masks the log, not
 * the outputs a later step reads); a name that holds one is left out, with a warning.
 */
export function hookStepOutputs(
  report: RunReport,
  secrets: readonly string[],
): { outputs: Record<string, Record<string, string>>; flat: Map<string, string>; warnings: string[] } {
  // No prototype: a name such as `__proto__` is a name like any other.
  const outputs: Record<string, Record<string, string>> = Object.create(null);
  const flat = new Map<string, string>();
  const warnings: string[] = [];
  let hidden = 0;
  for (const host of report.inOrder(report.hookOutputs.keys())) {
    const { masked, values } = report.hookOutputs.get(host)!;
    const key = masked ? (++hidden === 1 ? '***' : `*** (${hidden})`) : maskText(host, secrets);
    const shown: Record<string, string> = Object.create(null);
    for (const [name, value] of values) {
      if (maskText(name, secrets) !== name) {
        warnings.push(`${key}: the output name ${maskText(name, secrets)} holds a secret: left out`);
        continue;
      }
      shown[name] = maskText(value, secrets);
      if (!flat.has(name)) flat.set(name, shown[name]);
    }
    outputs[key] = shown;
  }
  return { outputs, flat, warnings };
}

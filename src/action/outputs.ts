import * as core from '@actions/core';
import type { HostConfig } from '../config/index.js';
import type { RunReport } from '../report/report.js';
import { maskedSoFar } from './inputs.js';

/** The hosts as the `hosts` output lists them: a host whose name came from a secret (`${NAME}`) is `***`. */
export function hostsOutput(hosts: readonly HostConfig[]): string[] {
  return hosts.map((h) => (h.masked ? '***' : h.name));
}

/** Sets the step outputs users wire into later steps and `environment.url`. */
export function setOutputs(report: RunReport, hosts: string[]): void {
  core.setOutput('release', report.release ?? '');
  core.setOutput('release-path', report.releasePath ?? '');
  core.setOutput('previous-release', report.previous ?? '');
  core.setOutput('url', report.url ?? '');
  core.setOutput('hosts', JSON.stringify(hosts));
  const hook = hookStepOutputs(report, maskedSoFar());
  core.setOutput('outputs', JSON.stringify(hook.outputs));
  for (const [name, value] of hook.flat) core.setOutput(`hook-${name}`, value);
  for (const w of hook.warnings) core.warning(w);
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

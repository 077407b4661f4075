import * as core from '@actions/core';
import type { HostConfig } from '../config/index.js';
import { execOutput } from '../report/exec.js';
import type { RunReport } from '../report/report.js';

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
  core.setOutput('exec', report.exec ? execOutput(report.exec) : '');
}

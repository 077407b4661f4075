import * as core from '@actions/core';
import type { RunReport } from '../report/report.js';

/** Sets the step outputs users wire into later steps and `environment.url`. */
export function setOutputs(report: RunReport, hosts: string[]): void {
  core.setOutput('release', report.release ?? '');
  core.setOutput('release-path', report.releasePath ?? '');
  core.setOutput('previous-release', report.previous ?? '');
  core.setOutput('url', report.url ?? '');
  core.setOutput('hosts', JSON.stringify(hosts));
}

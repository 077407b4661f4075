import type { HostConfig } from '../config/index.js';
import type { FleetListener } from '../fleet/fleet.js';
import type { StepRecord } from '../remote/session.js';
import type { Log } from '../log.js';
import { withHeartbeat } from './heartbeat.js';
import type { RunReport } from './report.js';
import { withUploadProgress } from './upload-progress.js';

export function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** Turns host events into log lines (prefixed by host when there are several) and report rows. */
export function progress(log: Log, report: RunReport, hostCount: number): FleetListener {
  const prefix = (host: HostConfig) => (hostCount > 1 ? `[${host.name}] ` : '');
  const listener: FleetListener = {
    step(host: HostConfig, record: StepRecord) {
      report.step(host.name, record);
      if (record.status === 'running') log.info(`${prefix(host)}▶ ${record.label}`);
      else if (record.status === 'ok') log.info(`${prefix(host)}✓ ${record.label} (${seconds(record.ms)})`);
      else log.info(`${prefix(host)}✗ ${record.label} failed with exit code ${record.rc} (${seconds(record.ms)})`);
    },
    output(host: HostConfig, line: string, step: StepRecord | undefined) {
      log.output(`${prefix(host)}  ${line}`);
      // Hook output (deploy and activate hooks) is kept for the job summary.
      if (step && /^(hook|activate)-\d+$/.test(step.id)) report.output(host.name, step, line);
    },
    phase(host: HostConfig, name: string, ms: number) {
      report.row(host.name).phases[name] = ms;
    },
    warning(text: string) {
      report.warnings.push(text);
      log.warning(text);
    },
  };
  // Live lines (issue 17): each host's upload as it goes, and a heartbeat for a step quiet for long.
  return withHeartbeat(withUploadProgress(listener, log, prefix), (text) => log.info(text));
}

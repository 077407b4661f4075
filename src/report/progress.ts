import { routeText, type HostConfig } from '../config/index.js';
import type { FleetListener } from '../fleet/fleet.js';
import type { StepRecord } from '../remote/session.js';
import { stepTitle } from '../remote/steps/hooks.js';
import { seconds, type Log } from '../log.js';
import { withHeartbeat } from './heartbeat.js';
import { PhaseLines } from './phase-lines.js';
import type { RunReport } from './report.js';
import { withUploadProgress } from './upload-progress.js';

export { seconds } from '../log.js';

/** A step's line: `▶ upload`, `✓ upload (1.2 s)`, `✗ hook "migrate" failed: exit code 3 (2.1 s)`. */
export function stepLine(record: StepRecord): string {
  if (record.status === 'running') return `▶ ${record.label}`;
  if (record.status === 'ok') return `✓ ${record.label} (${seconds(record.ms)})`;
  return `✗ ${stepTitle(record)} failed: exit code ${record.rc} (${seconds(record.ms)})`;
}

/**
 * Turns host events into log lines (prefixed by host when there are several), one section per phase (see
 * PhaseLines), and report rows.
 */
export function progress(log: Log, report: RunReport, hostCount: number, signal?: AbortSignal): FleetListener {
  const prefix = (host: HostConfig) => (hostCount > 1 ? `[${host.name}] ` : '');
  const phases = new PhaseLines(log, hostCount, signal);
  const listener: FleetListener = {
    step(host: HostConfig, record: StepRecord) {
      report.step(host.name, record);
      phases.step(host, record);
      log.info(`${prefix(host)}${stepLine(record)}`);
    },
    output(host: HostConfig, line: string, step: StepRecord | undefined) {
      log.output(`${prefix(host)}  ${line}`);
      // Hook output (deploy, activate and rollback hooks, a health check command) is kept for the job summary.
      if (step && /^((hook|activate|rollback)-\d+|healthcheck)$/.test(step.id)) report.output(host.name, step, line);
    },
    phase(host: HostConfig, name: string, ms: number) {
      report.row(host.name).phases[name] = ms;
    },
    phaseStart(name, hosts, parts) {
      phases.start(name, hosts, parts);
      // The path to each host reached through jump hosts or a proxy command.
      for (const h of name === 'connect' ? hosts : []) {
        const via = routeText(h);
        if (via === undefined) continue;
        log.info(`${h.name}: ${via}`);
        report.row(h.name).via = via;
      }
    },
    phaseEnd: (name, error) => phases.end(name, error),
    retry: (_host, line) => log.info(line),
    undone(host: HostConfig, what: string) {
      report.undid.set(host.name, (report.undid.get(host.name) ?? new Set<string>()).add(what));
    },
    warning(text: string) {
      report.warnings.push(text);
      log.warning(text);
    },
  };
  // Live lines (issue 17): each host's upload as it goes, and a heartbeat for a step quiet for long.
  return withHeartbeat(withUploadProgress(listener, log, prefix), (text) => log.info(text));
}

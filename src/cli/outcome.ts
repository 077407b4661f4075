/** The CLI's last words: what changed, or what failed where, as plain text for a terminal. */
import type { CommandContext } from '../commands/context.js';
import { Cancelled } from '../errors.js';
import { ConfigError } from '../config/index.js';
import { plain, ticks } from '../report/document.js';
import { failedWhere, failureOf, hostsAfterFailure } from '../report/failure.js';
import { seconds } from '../report/progress.js';
import type { RunReport } from '../report/report.js';
import { textBlocks } from '../report/text.js';
import { PLAIN, type Style } from '../report/style.js';

export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

export interface Outcome {
  /** For stdout (success) or stderr (failure). */
  text: string;
  code: number;
}

const indent = (text: string, by = '  ') =>
  text
    .split('\n')
    .map((l) => (l ? by + l : l))
    .join('\n');

/** The heading over a run's progress: what, where, on which hosts. */
export function runTitle(command: string, ctx: CommandContext): string {
  const { config } = ctx;
  const hosts = config.hosts.map((h) => (config.hosts.length > 1 ? h.name : `${h.name} (${h.deployPath})`)).join(', ');
  return `${command}${ctx.dryRun ? ' (dry run)' : ''}: ${config.application} to ${config.environment} on ${hosts}`;
}

/** A message's text for a terminal: its `backtick` marks dropped (the summary shows them as code). */
const bare = (text: string) => plain(ticks(text));

function headline(r: RunReport, dryRun: boolean | undefined): string {
  const verb = r.command.charAt(0).toUpperCase() + r.command.slice(1);
  const what = `${r.application} ${r.command === 'releases' || r.command === 'unlock' || r.command === 'doctor' ? 'in' : 'to'} ${r.environment}`;
  if (dryRun || r.dryRun) return `Dry run of ${r.command} of ${what}: ${r.ok ? 'nothing was changed' : 'failed'}`;
  return `${verb} of ${what} ${r.ok ? 'succeeded' : 'failed'}`;
}

function facts(r: RunReport): string[] {
  const rows: [string, string | undefined][] = [
    ['Release', r.release],
    ['Commit', r.sha],
    ['Previous release', r.previous ?? (r.release ? '(none)' : undefined)],
    ['URL', r.url],
    ['Duration', r.finishedMs !== undefined ? seconds(r.finishedMs) : undefined],
  ];
  return rows.filter(([, v]) => v).map(([k, v]) => `  ${`${k}:`.padEnd(18)}${v}`);
}

/** A run that succeeded; `style` colours the mark and headings (for stdout). */
export function success(r: RunReport, dryRun?: boolean, style: Style = PLAIN): Outcome {
  r.finish();
  const out = ['', `${style.ok('✓')} ${style.heading(headline(r, dryRun))}`, ...facts(r)];
  if (r.changes.length) out.push('', ...r.changes.map((c) => `  - ${bare(c)}`));
  if (r.details.length) out.push('', ...textBlocks(r.details));
  if (r.hookOutputs.size) out.push('', style.heading('Hook outputs:'), ...hookOutputLines(r));
  if (r.warnings.length) out.push('', style.heading('Warnings:'), ...r.warnings.map((w) => `  - ${bare(w)}`));
  return { text: `${out.join('\n').trimEnd()}\n`, code: EXIT.ok };
}

/** What the hooks wrote to `$DEPLOY_OUTPUT`, host by host: `name=value`, a value of several lines as a JSON string. */
function hookOutputLines(r: RunReport): string[] {
  return r
    .inOrder(r.hookOutputs.keys())
    .flatMap((host) => [
      `  ${host}:`,
      ...[...r.hookOutputs.get(host)!.values].map(
        ([name, value]) => `    ${name}=${/[\t\n]/.test(value) ? JSON.stringify(value) : value}`,
      ),
    ]);
}

export interface FailureContext {
  /** The known_hosts file the CLI checked host keys against (for the host-key hint). */
  knownHostsFile?: string;
  /** What the CLI offered to authenticate (for the refused-key hint). */
  credentials?: string;
  /** The run was cancelled by a signal. */
  cancelled?: boolean;
  dryRun?: boolean;
  /** Colour for the failure's text (for stderr). */
  style?: Style;
}

/** A run (or its set-up) that failed: where, why, the last lines of output, what was left alone. */
export function failure(r: RunReport | undefined, error: unknown, context: FailureContext = {}): Outcome {
  const cancelled = error instanceof Cancelled || context.cancelled === true;
  const code = cancelled ? EXIT.cancelled : EXIT.failed;
  const style = context.style ?? PLAIN;
  const error_ = style.fail('error:');
  if (error instanceof ConfigError && !r) {
    return {
      text: `${error.message
        .split('\n')
        .map((l) => `${error_} ${l}`)
        .join('\n')}\n`,
      code,
    };
  }
  const f = failureOf(error);
  const at = failedWhere(f);
  const where = at.host ? `${at.host}: ${at.step}: ` : at.step ? `${at.step}: ` : '';
  const [first = '', ...rest] = `${where}${f.message}`.split('\n').map(bare);
  const out = [`${error_} ${first}`, ...rest.map((l) => indent(l))];
  if (f.step === 'connect' && context.knownHostsFile && f.message.includes(context.knownHostsFile)) {
    out.push('  (to check host keys against another file, pass --known-hosts FILE)');
  }
  if (f.step === 'connect' && /refused the key/.test(f.message) && context.credentials) {
    out.push(`  (deploy-action offered ${context.credentials}; choose another key with -i FILE)`);
  }
  // `runner` is the report's name for this machine (the action runs on a runner; the CLI on your machine).
  const from =
    f.host === undefined
      ? 'the hosts'
      : f.host !== 'runner'
        ? f.host
        : f.step === 'build'
          ? 'the build'
          : 'this machine';
  if (f.tail.length)
    out.push('', style.heading(`Last lines of output from ${from}:`), ...f.tail.map((l) => `  | ${l}`));
  if (r) {
    r.failure = f;
    r.finish();
    out.unshift(
      '',
      `${style.fail('✗')} ${style.heading(`${headline(r, context.dryRun)}${r.finishedMs !== undefined ? ` after ${seconds(r.finishedMs)}` : ''}`)}`,
    );
    const hosts = hostsAfterFailure(r).map((l) => plain(l));
    if (hosts.length) out.push('', style.heading('What happened on each host:'), ...hosts.map((l) => `  - ${l}`));
    // A command's findings (doctor's tables) say what failed and how to fix it.
    if (r.details.length) out.push('', ...textBlocks(r.details));
    if (r.warnings.length) out.push('', style.heading('Warnings:'), ...r.warnings.map((w) => `  - ${bare(w)}`));
  }
  return { text: `${out.join('\n')}\n`, code };
}

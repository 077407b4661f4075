import type { Step } from '../phase.js';
import { q } from '../quote.js';

export interface HookCommand {
  run: string;
}

/**
 * Deploy hooks: each command runs in the new release with bash -e, stdin closed, the configured environment plus
 * the DEPLOY_* variables. One step per command, so the summary shows which one failed. SIGPIPE is restored for
 * the command (the session itself ignores it to survive a dropped connection).
 */
export function deployHooks(hooks: HookCommand[], env: Record<string, string>): Step[] {
  const exports = Object.entries(env)
    .map(([name, value]) => `export ${name}=${q(value)}`)
    .join('\n');
  return hooks.map((hook, i) => ({
    id: `hook-${i + 1}`,
    label: hook.run,
    body: `${exports}
cd -- "releases/$DA_RELEASE"
trap - PIPE
bash -e -c ${q(hook.run)} < /dev/null`,
  }));
}

import type { Log } from './log.js';

/**
 * A cancelled workflow run gets SIGINT, then SIGTERM 7.5 s later, then is killed. The first signal aborts the
 * command (hosts undo their work); later signals are noted, and the clean-up carries on.
 */
export function cancelOnSignals(log: Log): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      log.warning(`${name} received again: still undoing this run's work on the hosts`);
      return;
    }
    log.warning(`${name} received: cancelling; every host undoes this run's unfinished work`);
    controller.abort(new Error(`cancelled by ${name}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

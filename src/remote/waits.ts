// Bounded waits: a session's exit, start and signals are waited for at most so long.

/** `ms` in seconds, to one decimal (for messages). */
export function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}

/** The time left of `ms` from now, each time it is asked. */
export function deadline(ms: number): () => number {
  const end = Date.now() + ms;
  return () => Math.max(0, end - Date.now());
}

/** Whether `work` settles successfully within `ms`. */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const done = await Promise.race([
    work.then(
      () => true,
      () => false,
    ),
    late,
  ]);
  clearTimeout(timer);
  return done;
}

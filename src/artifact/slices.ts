/** Lets the event loop run when a slice of work is used up: a promise to await then, undefined otherwise. */
export type Pause = () => Promise<void> | undefined;

/**
 * Time slicing for long runs of small synchronous file system calls. On a page-cached tree (a build the runner just
 * produced) an lstat, open or read costs a few microseconds as a direct system call, while a round trip through
 * libuv's thread pool costs the main thread several times that (describing 6,000 files: ~0.16 s this way, ~0.3-0.4 s
 * through the pool); but the event loop must keep serving the fleet's SSH sessions meanwhile, so `pause()` hands it
 * a turn once every `ms` of work (await it after each call either way).
 */
export function slicer(ms = 4): Pause {
  let since = performance.now();
  return () => {
    if (performance.now() - since < ms) return undefined;
    return new Promise((resolve) =>
      setImmediate(() => {
        since = performance.now();
        resolve();
      }),
    );
  };
}

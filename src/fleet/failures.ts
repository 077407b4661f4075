/** How a run fails: on one host in one step, or as a whole (no one host). */

/** A failure on one host, in one step: what the user needs to find and fix it. */
export class HostFailure extends Error {
  constructor(
    readonly host: string,
    readonly step: string,
    message: string,
    readonly tail: string[] = [],
    /** The failed step's exit status, and what the phase reported before it failed. */
    readonly rc?: number,
    readonly data?: Map<string, string[]>,
  ) {
    super(`${host}: ${step}: ${message}`);
    this.name = 'HostFailure';
  }

  /** Set when every host confirmed that it undid this run's work (nothing is left for the post step). */
  cleanedUp = false;
}

/**
 * A failure of the run as a whole, of no one host: the hosts disagree, or none has a release to roll back to. It
 * names the step and says what to do; it has no host to name.
 */
export class FleetFailure extends Error {
  constructor(
    readonly step: string,
    message: string,
  ) {
    super(message);
    this.name = 'FleetFailure';
  }
}

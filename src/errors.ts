/** A run that was cancelled; the hosts have undone its work. */
export class Cancelled extends Error {
  constructor() {
    super("the run was cancelled; every host undid this run's unfinished work");
    this.name = 'Cancelled';
  }
}

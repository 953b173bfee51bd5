// A set-up problem the user can fix: its message is one line saying what to do (details may follow
// on later lines). The entry points print it without a stack trace.
export class SetupProblem extends Error {
  constructor(message) {
    super(message);
    this.name = 'SetupProblem';
  }
}

/**
 * Runs the UI's commands (API calls a click starts). One runner for the whole desk: the last command's failure
 * shows until the next command, wherever the user started it, and `busy` disables the buttons of every command.
 */
export class CommandRunner {
  busy = $state(false);
  /** The last command's failure, shown until the next command. */
  error = $state<string | null>(null);

  /** Runs a command, keeping its error for the UI instead of throwing into an event handler; null on failure. */
  async run<T>(work: () => Promise<T>): Promise<T | null> {
    this.busy = true;
    this.error = null;
    try {
      return await work();
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
      return null;
    } finally {
      this.busy = false;
    }
  }

  /** A failure found before anything was sent (e.g. a line the positions editor cannot read). */
  fail(message: string): void {
    this.error = message;
  }
}

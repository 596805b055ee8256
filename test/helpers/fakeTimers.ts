/** A manual clock implementing both RecorderTimers and the engine's Scheduler: nothing runs until told to. */
export class ManualTimers {
  nowMs = 0;
  private nextId = 1;
  private readonly timers = new Map<number, { at: number; callback: () => void }>();
  readonly scheduledDelays: number[] = [];

  now = (): number => this.nowMs;

  setTimeout = (callback: () => void, ms: number): unknown => {
    const id = this.nextId++;
    this.timers.set(id, { at: this.nowMs + ms, callback });
    this.scheduledDelays.push(ms);
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.timers.delete(handle as number);
  };

  get pending(): number {
    return this.timers.size;
  }

  /** Advances the clock, running due timers in time order (including ones scheduled while advancing). */
  advance(ms: number): void {
    const target = this.nowMs + ms;
    for (;;) {
      let dueId = -1;
      let dueAt = Infinity;
      for (const [id, timer] of this.timers) {
        if (timer.at <= target && timer.at < dueAt) {
          dueAt = timer.at;
          dueId = id;
        }
      }
      if (dueId < 0) break;
      const timer = this.timers.get(dueId)!;
      this.timers.delete(dueId);
      this.nowMs = Math.max(this.nowMs, timer.at);
      timer.callback();
    }
    this.nowMs = target;
  }
}

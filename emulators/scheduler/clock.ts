// The emulator's clock: it starts at real time and runs `speedup` times faster, so a demo can see
// a job on `*/5 * * * *` fire every five real seconds at speedup 60. Every time of a job (schedule,
// backoff, attempt deadline, timestamps in answers) is read on this clock; timers wait the real
// time that corresponds to an emulated duration.

/** setTimeout's largest delay; longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface TimerHandle {
  cancel(): void;
}

export class EmulatedClock {
  private readonly realOrigin: number;
  private readonly emulatedOrigin: number;

  /**
   * `notBefore`: an emulated time the clock must not start behind (the last time it showed before
   * a restart), so that a sped-up clock never runs backwards across restarts.
   */
  constructor(
    readonly speedup = 1,
    notBefore = 0,
    private readonly realNow: () => number = Date.now,
  ) {
    if (!(speedup > 0) || !Number.isFinite(speedup)) throw new Error(`clockSpeedup must be a positive number, got ${speedup}`);
    this.realOrigin = realNow();
    this.emulatedOrigin = Math.max(this.realOrigin, notBefore);
  }

  /** Emulated epoch milliseconds. */
  now(): number {
    return Math.floor(this.emulatedOrigin + (this.realNow() - this.realOrigin) * this.speedup);
  }

  /** Real milliseconds that an emulated duration takes. */
  realDuration(emulatedMs: number): number {
    return Math.max(0, emulatedMs / this.speedup);
  }

  /**
   * Runs `fire` once the emulated clock reaches `at`, always asynchronously and never early (a
   * timer that wakes early re-arms).
   */
  at(at: number, fire: () => void): TimerHandle {
    let cancelled = false;
    const delay = () => Math.min(Math.max(0, Math.ceil(this.realDuration(at - this.now()))), MAX_TIMER_MS);
    const check = () => {
      if (cancelled) return;
      if (this.now() >= at) fire();
      else timer = setTimeout(check, Math.max(1, delay()));
    };
    let timer = setTimeout(check, delay());
    return {
      cancel: () => {
        cancelled = true;
        clearTimeout(timer);
      },
    };
  }

  /** Resolves true after an emulated duration, or false as soon as `signal` aborts. */
  sleep(emulatedMs: number, signal: AbortSignal): Promise<boolean> {
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = () => {
        handle.cancel();
        resolve(false);
      };
      const handle = this.at(this.now() + emulatedMs, () => {
        signal.removeEventListener('abort', onAbort);
        resolve(true);
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

import { ApiError } from "@/lib/api/client";

/**
 * Autosave while typing: each change (re)starts a quiet period (2 s); when
 * it ends, the latest value is sent, one request at a time: a change made
 * while a save is in flight is sent after it, never alongside. A network
 * failure shows "offline" and the value is sent again on the next change or
 * when the browser says it is back online; a refusal (4xx/5xx) shows
 * "failed" and waits for the next change.
 */

export const autosaveDelay = 2000;

export type AutosaveState =
  | { kind: "idle" }
  | { kind: "pending" } // changed, waiting for the pause
  | { kind: "saving" }
  | { kind: "saved"; at: Date }
  | { kind: "offline" }
  | { kind: "failed"; error: unknown };

export class Autosaver<T> {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private latest: { value: T } | null = null;
  private inFlight = false;
  private stopped = false;
  state: AutosaveState = { kind: "idle" };

  constructor(
    private readonly save: (value: T) => Promise<void>,
    private readonly onState: (s: AutosaveState) => void = () => {},
    private readonly delay = autosaveDelay,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private set(s: AutosaveState) {
    this.state = s;
    this.onState(s);
  }

  /** A change: saved once the writer pauses for `delay`. */
  change(value: T) {
    if (this.stopped) return;
    this.latest = { value };
    clearTimeout(this.timer);
    if (!this.inFlight) this.set({ kind: "pending" });
    this.timer = setTimeout(() => void this.flush(), this.delay);
  }

  /** Sends the latest unsent value now (no-op when there is none or one is in flight: it follows). */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    if (this.inFlight || !this.latest || this.stopped) return;
    const { value } = this.latest;
    this.latest = null;
    this.inFlight = true;
    this.set({ kind: "saving" });
    try {
      await this.save(value);
      if (!this.stopped) this.set({ kind: "saved", at: this.now() });
    } catch (e) {
      if (this.stopped) return;
      if (e instanceof ApiError && e.code !== "NETWORK") this.set({ kind: "failed", error: e });
      else {
        // offline: keep the value (unless a newer one came) for the next try
        this.latest ??= { value };
        this.set({ kind: "offline" });
      }
    } finally {
      this.inFlight = false;
    }
    // a change made while saving goes next (not after an offline failure: that waits for a change or "online")
    if (this.latest && this.state.kind !== "offline" && !this.stopped) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => void this.flush(), this.delay);
    }
  }

  /** The browser is back online: retry what is waiting. */
  online() {
    if (this.state.kind === "offline") void this.flush();
  }

  /** Whether something typed has not reached the server yet. */
  get unsaved() {
    return this.latest !== null || this.inFlight;
  }

  /** Forgets what is waiting (a real save made the autosave moot). */
  discard() {
    clearTimeout(this.timer);
    this.latest = null;
    if (!this.inFlight) this.set({ kind: "idle" });
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }
}

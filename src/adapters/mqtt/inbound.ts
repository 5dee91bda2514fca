/**
 * The inbound side of one connection: PUBLISH packets are stored concurrently, but
 * their acknowledgements leave in arrival order [MQTT-4.6.0-2] [MQTT-4.6.0-3], each
 * only after its store finished. When too many stores are outstanding the socket
 * stops being read, so a flooding client is flow-controlled and memory stays bounded.
 */
export interface ReadControl {
  pauseReading(): void;
  resumeReading(): void;
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

export class InboundPipeline {
  private tail: Promise<void> = Promise.resolve();
  private outstanding = 0;
  private paused = false;

  constructor(private readonly control: ReadControl, private readonly window: number, private readonly peak: { inboundPeakPending: number }) {}

  get pending(): number {
    return this.outstanding;
  }

  /** `work` is already running; `answer` runs after every earlier answer, with its outcome */
  track<T>(work: Promise<T>, answer: (result: Settled<T>) => void): void {
    this.outstanding++;
    if (this.outstanding > this.peak.inboundPeakPending) this.peak.inboundPeakPending = this.outstanding;
    if (!this.paused && this.outstanding >= this.window) {
      this.paused = true;
      this.control.pauseReading();
    }
    const settled = work.then((value): Settled<T> => ({ ok: true, value }), (error: unknown): Settled<T> => ({ ok: false, error }));
    this.tail = this.tail.then(() => settled).then((result) => {
      this.outstanding--;
      answer(result);
      if (this.paused && this.outstanding < this.window) {
        this.paused = false;
        this.control.resumeReading();
      }
    });
  }

  /** resolves when every tracked answer has run */
  idle(): Promise<void> {
    return this.tail;
  }
}

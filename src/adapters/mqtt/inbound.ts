/**
 * The inbound side of one connection: PUBLISH packets are stored concurrently, but
 * their acknowledgements leave in arrival order [MQTT-4.6.0-2] [MQTT-4.6.0-3], each
 * only after its store finished. When too many stores are outstanding the socket
 * stops being read, so a flooding client is flow-controlled and memory stays bounded.
 */
export interface ReadControl {
  pauseReading(): void;
  resumeReading(): void;
  /** an answer threw: the connection is closed, the pipeline goes on */
  answerFailed(err: unknown): void;
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

interface Waiting {
  result: Settled<unknown> | undefined;
  answer: (result: Settled<never>) => void;
}

export class InboundPipeline {
  /** answers in arrival order, from `head` on; one `then` per tracked work, no promise chain */
  private readonly waiting: Array<Waiting | undefined> = [];
  private head = 0;
  private outstanding = 0;
  private paused = false;

  constructor(private readonly control: ReadControl, private readonly window: number, private readonly peak: { inboundPeakPending: number }) {}

  get pending(): number {
    return this.outstanding;
  }

  /** `work` is already running; `answer` runs after every earlier answer, with its outcome */
  track<T>(work: Promise<T>, answer: (result: Settled<T>) => void): void {
    this.begin();
    const entry: Waiting = { result: undefined, answer: answer as Waiting['answer'] };
    this.waiting.push(entry);
    work.then(
      (value) => {
        entry.result = { ok: true, value };
        this.flush();
      },
      (error: unknown) => {
        entry.result = { ok: false, error };
        this.flush();
      },
    );
  }

  /**
   * A QoS 0 PUBLISH: nothing is answered, so there is no order to keep and no reason
   * to wait behind earlier answers; it still counts towards the flow control bound.
   */
  trackUnanswered(work: Promise<unknown>, failed: (error: unknown) => void): void {
    this.begin();
    work.then(
      () => {
        this.outstanding--;
        this.maybeResume();
      },
      (error: unknown) => {
        this.outstanding--;
        this.run(() => failed(error));
        this.maybeResume();
      },
    );
  }

  private flush(): void {
    const waiting = this.waiting;
    while (this.head < waiting.length) {
      const entry = waiting[this.head]!;
      if (entry.result === undefined) break;
      waiting[this.head++] = undefined;
      this.outstanding--;
      this.run(() => entry.answer(entry.result as Settled<never>));
    }
    if (this.head === waiting.length) {
      waiting.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > waiting.length) {
      waiting.splice(0, this.head);
      this.head = 0;
    }
    this.maybeResume();
  }

  private run(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.control.answerFailed(err);
    }
  }

  private begin(): void {
    this.outstanding++;
    if (this.outstanding > this.peak.inboundPeakPending) this.peak.inboundPeakPending = this.outstanding;
    if (!this.paused && this.outstanding >= this.window) {
      this.paused = true;
      this.control.pauseReading();
    }
  }

  private maybeResume(): void {
    if (this.paused && this.outstanding < this.window) {
      this.paused = false;
      this.control.resumeReading();
    }
  }
}

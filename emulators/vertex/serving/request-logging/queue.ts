// A bounded fire-and-forget queue with one consumer: producers never wait, and when the consumer
// falls behind (a slow or failing BigQuery) new items are dropped instead of piling up in memory.
export interface WorkQueueOptions<T> {
  capacity: number;
  batchSize: number;
  handle: (batch: T[]) => Promise<void>;
  onError: (error: unknown, batch: readonly T[]) => void;
  onDrop: (dropped: number) => void;
}

export class BoundedWorkQueue<T> {
  private readonly items: T[] = [];
  private pumping: Promise<void> | undefined;
  private dropped = 0;

  constructor(private readonly options: WorkQueueOptions<T>) {}

  /** False when the item was dropped because the queue is full. */
  push(item: T): boolean {
    if (this.items.length >= this.options.capacity) {
      this.dropped++;
      // Report the first drop and then every hundredth, not every one.
      if (this.dropped === 1 || this.dropped % 100 === 0) this.options.onDrop(this.dropped);
      return false;
    }
    this.items.push(item);
    this.pumping ??= this.pump();
    return true;
  }

  get size(): number {
    return this.items.length;
  }

  /** Resolves once everything queued so far has been handled (or has failed). */
  async flush(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  private async pump(): Promise<void> {
    // Yield first so a burst of pushes goes out as one batch.
    await Promise.resolve();
    try {
      while (this.items.length > 0) {
        const batch = this.items.splice(0, this.options.batchSize);
        try {
          await this.options.handle(batch);
        } catch (error) {
          this.options.onError(error, batch);
        }
      }
    } finally {
      this.pumping = undefined;
    }
  }
}

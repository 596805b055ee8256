/**
 * The bridge from an API stream to Svelte: a topic is subscribed while some effect or template reads it and
 * unsubscribed when the last reader goes (`createSubscriber` counts the readers). Every domain state reads its
 * streams through this class; nothing else in the renderer calls `subscribe`.
 */
import { createSubscriber } from 'svelte/reactivity';
import type { ApiClient, TopicName, TopicParams, TopicPayloads } from '../../../src-main/api/contract';

export class TopicStream<T extends TopicName> {
  /** The latest snapshot: replaced whole by every message, never mutated, hence `raw`. */
  #data = $state.raw<TopicPayloads[T] | null>(null);
  #received = $state(0);
  /** Bumped by `restart()`: the subscription below reads it, so a bump re-subscribes. */
  #restarts = $state(0);
  readonly #track: () => void;

  /**
   * @param params What to subscribe with, read reactively: when anything it reads changes, the stream drops its
   *   snapshot and re-subscribes with the new parameters. `null` means "nothing to subscribe to yet".
   */
  constructor(client: ApiClient, topic: T, params: () => TopicParams<T> | null) {
    this.#track = createSubscriber(() => {
      // Runs when the first reader appears. The subscription lives in its own root, not in that reader's effect:
      // the first reader may go while others stay, and the parameters may change while subscribed.
      const stop = $effect.root(() => {
        $effect(() => {
          void this.#restarts;
          const current = params();
          this.#clear();
          if (current === null) return;
          return client.subscribe(topic, current, (message) => {
            this.#data = message.data;
            this.#received++;
          });
        });
      });
      // Runs a microtask after the last reader has gone: unsubscribe, and forget the snapshot so that the next
      // reader waits for a fresh one (the server sends its current snapshot on subscribe) instead of an old one.
      return () => {
        stop();
        this.#clear();
      };
    });
  }

  /** The latest snapshot, null until the first message of the current subscription. Reading it subscribes. */
  get current(): TopicPayloads[T] | null {
    this.#track();
    return this.#data;
  }

  /**
   * A command's result that is a newer snapshot of this stream (e.g. `source.set` returns the desk status): it
   * shows at once instead of after the next publish, and the next message replaces it.
   */
  set current(data: TopicPayloads[T]) {
    this.#data = data;
  }

  /** Messages received since the current subscription started (a visible sign that data keeps flowing). */
  get received(): number {
    this.#track();
    return this.#received;
  }

  /** Drops the snapshot and subscribes again (if anything reads the stream): the server's answer is current. */
  restart(): void {
    this.#restarts++;
  }

  #clear(): void {
    this.#data = null;
    this.#received = 0;
  }
}

/**
 * The renderer's API client, over whichever transport the page runs on: the Electron preload bridge
 * (`window.gammadesk`) or the headless host's WebSocket. Both implement the contract's ApiClient.
 */
import type {
  ApiClient,
  ClientFrame,
  CommandName,
  CommandParams,
  CommandResults,
  ServerFrame,
  StreamMessage,
  TopicName,
  TopicParams,
  TopicPayloads,
  Unsubscribe,
} from '../../src-main/api/contract';
import { ApiException, fromErrorBody } from '../../src-main/api/errors';

export type LinkState = 'connecting' | 'open' | 'closed';

export interface Transport extends ApiClient {
  readonly kind: 'electron' | 'websocket';
  onLinkState(listener: (state: LinkState) => void): Unsubscribe;
  /** Errors of subscriptions (unknown expiry, …) arrive here. */
  onStreamError(listener: (topic: string, error: ApiException) => void): Unsubscribe;
}

interface Bridge {
  call(command: string, params: unknown): Promise<unknown>;
  subscribe(
    topic: string,
    params: unknown,
    listener: (message: StreamMessage<unknown>) => void,
    onError: (error: { code: string; message: string }) => void,
  ): () => void;
}

class Listeners<A extends unknown[]> {
  private readonly set = new Set<(...args: A) => void>();
  add(listener: (...args: A) => void): Unsubscribe {
    this.set.add(listener);
    return () => this.set.delete(listener);
  }
  emit(...args: A): void {
    for (const listener of [...this.set]) listener(...args);
  }
}

class ElectronTransport implements Transport {
  readonly kind = 'electron' as const;
  private readonly streamErrors = new Listeners<[string, ApiException]>();
  constructor(private readonly bridge: Bridge) {}

  async call<C extends CommandName>(command: C, params: CommandParams<C>): Promise<CommandResults[C]> {
    try {
      return (await this.bridge.call(command, params)) as CommandResults[C];
    } catch (error) {
      throw fromErrorBody(error);
    }
  }
  subscribe<T extends TopicName>(topic: T, params: TopicParams<T>, listener: (m: StreamMessage<TopicPayloads[T]>) => void): Unsubscribe {
    return this.bridge.subscribe(topic, params, listener as (m: StreamMessage<unknown>) => void, (error) =>
      this.streamErrors.emit(topic, fromErrorBody(error)),
    );
  }
  onLinkState(listener: (state: LinkState) => void): Unsubscribe {
    listener('open');
    return () => {};
  }
  onStreamError(listener: (topic: string, error: ApiException) => void): Unsubscribe {
    return this.streamErrors.add(listener);
  }
}

interface Subscription {
  topic: string;
  params: unknown;
  listener: (message: StreamMessage<unknown>) => void;
}

/** How long a command waits for the connection to (re)open before it is refused. */
const CALL_WAIT_MS = 10_000;

/** WebSocket client: reconnects with backoff and re-subscribes every live subscription after a reconnect. */
export class WebSocketTransport implements Transport {
  readonly kind = 'websocket' as const;
  private socket: WebSocket | null = null;
  private nextId = 1;
  /**
   * Calls awaiting their result. `unsent` holds the frame of a call made while (re)connecting: it goes out once
   * the socket opens, or is refused after CALL_WAIT_MS.
   */
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: ApiException) => void; unsent: ClientFrame | null }>();
  private readonly subscriptions = new Map<number, Subscription>();
  private readonly linkListeners = new Listeners<[LinkState]>();
  private readonly streamErrors = new Listeners<[string, ApiException]>();
  private state: LinkState = 'connecting';
  private backoffMs = 250;
  private closedByUser = false;

  constructor(private readonly url: string) {
    this.connect();
  }

  private connect(): void {
    this.setState('connecting');
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.backoffMs = 250;
      this.setState('open');
      for (const [id, sub] of this.subscriptions) this.send({ kind: 'subscribe', id, topic: sub.topic, params: sub.params });
      for (const waiter of this.pending.values()) {
        if (waiter.unsent && this.send(waiter.unsent)) waiter.unsent = null;
      }
    };
    socket.onmessage = (event) => this.receive(String(event.data));
    socket.onclose = () => {
      this.socket = null;
      // Calls already sent may or may not have run: their callers hear so. Queued ones wait for the reconnect.
      for (const [id, waiter] of this.pending) {
        if (waiter.unsent) continue;
        this.pending.delete(id);
        waiter.reject(new ApiException('UNAVAILABLE', 'connection to GammaDesk lost'));
      }
      this.setState('closed');
      if (this.closedByUser) return;
      setTimeout(() => this.connect(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, 5_000);
    };
  }

  private setState(state: LinkState): void {
    this.state = state;
    this.linkListeners.emit(state);
  }

  private send(frame: ClientFrame): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private receive(text: string): void {
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      return;
    }
    if (frame.kind === 'event') {
      this.subscriptions.get(frame.id)?.listener({ version: frame.version, data: frame.data });
      return;
    }
    const waiter = this.pending.get(frame.id);
    if (waiter) {
      this.pending.delete(frame.id);
      if (frame.kind === 'result') waiter.resolve(frame.result);
      else waiter.reject(fromErrorBody(frame.error));
      return;
    }
    const sub = this.subscriptions.get(frame.id);
    if (sub && frame.kind === 'error') {
      this.subscriptions.delete(frame.id);
      this.streamErrors.emit(sub.topic, fromErrorBody(frame.error));
    }
  }

  call<C extends CommandName>(command: C, params: CommandParams<C>): Promise<CommandResults[C]> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const frame: ClientFrame = { kind: 'call', id, method: command, params };
      const sent = this.send(frame);
      if (!sent && this.closedByUser) {
        reject(new ApiException('UNAVAILABLE', 'not connected to GammaDesk'));
        return;
      }
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject, unsent: sent ? null : frame });
      if (sent) return;
      // The page's first calls are made before the socket has opened (and a reconnect may be under way): wait.
      setTimeout(() => {
        if (!this.pending.get(id)?.unsent) return;
        this.pending.delete(id);
        reject(new ApiException('UNAVAILABLE', `not connected to GammaDesk (waited ${CALL_WAIT_MS / 1000} s)`));
      }, CALL_WAIT_MS);
    });
  }

  subscribe<T extends TopicName>(topic: T, params: TopicParams<T>, listener: (m: StreamMessage<TopicPayloads[T]>) => void): Unsubscribe {
    const id = this.nextId++;
    this.subscriptions.set(id, { topic, params, listener: listener as (m: StreamMessage<unknown>) => void });
    this.send({ kind: 'subscribe', id, topic, params });
    return () => {
      if (this.subscriptions.delete(id)) this.send({ kind: 'unsubscribe', id });
    };
  }

  onLinkState(listener: (state: LinkState) => void): Unsubscribe {
    listener(this.state);
    return this.linkListeners.add(listener);
  }

  onStreamError(listener: (topic: string, error: ApiException) => void): Unsubscribe {
    return this.streamErrors.add(listener);
  }

  close(): void {
    this.closedByUser = true;
    this.socket?.close();
  }
}

/** Picks the transport for this page: the preload bridge in Electron, else the host's WebSocket with its token. */
export function connectTransport(): Transport {
  const bridge = (window as unknown as { gammadesk?: Bridge }).gammadesk;
  if (bridge) return new ElectronTransport(bridge);
  const token = document.querySelector<HTMLMetaElement>('meta[name="gammadesk-token"]')?.content ?? '';
  const url = new URL('/api', window.location.href);
  url.protocol = window.location.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('token', token);
  return new WebSocketTransport(url.toString());
}

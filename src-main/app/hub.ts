/**
 * The in-process API server: validates every command and subscription against the contract, dispatches to
 * handlers, and keeps one latest-value channel per stream key so a late subscriber gets the current snapshot
 * at once. The Electron IPC bridge, the WebSocket host and in-process callers all go through here.
 */
import {
  commands,
  isCommandName,
  isTopicName,
  topics,
  type ApiClient,
  type CommandName,
  type CommandParams,
  type CommandResults,
  type Domain,
  type DomainCommand,
  type DomainTopic,
  type StreamMessage,
  type TopicName,
  type TopicParams,
  type TopicPayloads,
  type Unsubscribe,
} from '../api/contract';
import { ApiException } from '../api/errors';
import { parse } from '../api/validate';

export type CommandHandler<C extends CommandName> = (
  params: CommandParams<C>,
) => CommandResults[C] | Promise<CommandResults[C]>;

/** Resolves a topic's parameters to the key of the channel that carries it; throws NOT_FOUND when none. */
export type TopicResolver<T extends TopicName> = (params: TopicParams<T>) => string;

/**
 * A handler for every command of a domain (all domains by default). Write a table as
 * `{ ... } satisfies CommandHandlers<'market'>`: a command without a handler, or a handler for no command, fails
 * the typecheck.
 */
export type CommandHandlers<D extends Domain = Domain> = { [C in DomainCommand<D>]: CommandHandler<C> };
/** A resolver for every topic of a domain (all domains by default); used like CommandHandlers. */
export type TopicResolvers<D extends Domain = Domain> = { [T in DomainTopic<D>]: TopicResolver<T> };

/** A stream's latest value plus its listeners. Publishing replaces the value whole (snapshots, not deltas). */
export class SnapshotChannel<T> {
  private latest: StreamMessage<T> | null = null;
  private version = 0;
  private readonly listeners = new Set<(message: StreamMessage<T>) => void>();

  publish(data: T): void {
    const message = { version: ++this.version, data };
    this.latest = message;
    for (const listener of [...this.listeners]) listener(message);
  }

  /**
   * Forgets the latest value (the market it described is gone: a new source): a subscriber gets nothing until the
   * new market publishes, instead of the old market's numbers. Versions keep increasing.
   */
  reset(): void {
    this.latest = null;
  }

  current(): StreamMessage<T> | null {
    return this.latest;
  }

  subscribe(listener: (message: StreamMessage<T>) => void): Unsubscribe {
    this.listeners.add(listener);
    if (this.latest) listener(this.latest);
    return () => {
      this.listeners.delete(listener);
    };
  }

  get subscriberCount(): number {
    return this.listeners.size;
  }
}

export class ApiHub {
  private readonly commands = new Map<string, (params: never) => unknown>();
  private readonly resolvers = new Map<string, (params: never) => string>();
  private readonly channels = new Map<string, SnapshotChannel<unknown>>();

  handle<C extends CommandName>(command: C, handler: CommandHandler<C>): void {
    this.commands.set(command, handler as (params: never) => unknown);
  }

  /** Registers a table of handlers (see CommandHandlers for the exhaustive tables the app writes). */
  handleAll(handlers: { [C in CommandName]?: CommandHandler<C> }): void {
    for (const [command, handler] of Object.entries(handlers)) this.commands.set(command, handler as (params: never) => unknown);
  }

  /** Declares how a topic's parameters map to a channel key. */
  topic<T extends TopicName>(topic: T, resolve: TopicResolver<T>): void {
    this.resolvers.set(topic, resolve as (params: never) => string);
  }

  /** Declares a table of topic resolvers (see TopicResolvers). */
  topicAll(resolvers: { [T in TopicName]?: TopicResolver<T> }): void {
    for (const [topic, resolve] of Object.entries(resolvers)) this.resolvers.set(topic, resolve as (params: never) => string);
  }

  /** The channel for a topic key, created on first use (publishers and subscribers may come in any order). */
  channel<T extends TopicName>(topic: T, key: string): SnapshotChannel<TopicPayloads[T]> {
    const id = `${topic}/${key}`;
    let channel = this.channels.get(id);
    if (!channel) {
      channel = new SnapshotChannel<unknown>();
      this.channels.set(id, channel);
    }
    return channel as SnapshotChannel<TopicPayloads[T]>;
  }

  /** Resets every channel of these topics (see SnapshotChannel.reset). */
  resetTopics(topics: readonly TopicName[]): void {
    for (const [id, channel] of this.channels) if (topics.some((topic) => id.startsWith(`${topic}/`))) channel.reset();
  }

  /** Validates and runs a command. Untrusted input: `command` and `params` come straight off a transport. */
  async call(command: unknown, params: unknown): Promise<unknown> {
    if (!isCommandName(command)) throw new ApiException('UNKNOWN_METHOD', `unknown command ${JSON.stringify(command)}`);
    const handler = this.commands.get(command);
    if (!handler) throw new ApiException('UNAVAILABLE', `command ${command} has no handler in this process`);
    const validated = parse(commands[command].params, params ?? {}, 'params');
    return await handler(validated as never);
  }

  /** Validates a subscription and attaches the listener; the current snapshot, if any, arrives at once. */
  subscribe(topic: unknown, params: unknown, listener: (message: StreamMessage<unknown>) => void): Unsubscribe {
    if (!isTopicName(topic)) throw new ApiException('UNKNOWN_TOPIC', `unknown topic ${JSON.stringify(topic)}`);
    const resolve = this.resolvers.get(topic);
    if (!resolve) throw new ApiException('UNAVAILABLE', `topic ${topic} has no publisher in this process`);
    const validated = parse(topics[topic].params, params ?? {}, 'params');
    const key = resolve(validated as never);
    return this.channel(topic, key).subscribe(listener as (message: StreamMessage<unknown>) => void);
  }

  /** A typed client over direct calls (tests, CLI). */
  client(): ApiClient {
    return {
      call: <C extends CommandName>(command: C, params: CommandParams<C>) =>
        this.call(command, params) as Promise<CommandResults[C]>,
      subscribe: <T extends TopicName>(
        topic: T,
        params: TopicParams<T>,
        listener: (message: StreamMessage<TopicPayloads[T]>) => void,
      ) => this.subscribe(topic, params, listener as (message: StreamMessage<unknown>) => void),
    };
  }
}

/**
 * How the contract is written: each command is ONE record `{ params, result }` and each stream one record
 * `{ params, payload }`, so a command cannot exist without its result type (nor a stream without its payload).
 * `params` is a runtime schema (validate.ts); `result` and `payload` are type markers with no runtime content.
 */
import type { Schema } from '../validate';

declare const typeOnly: unique symbol;
/** A compile-time-only marker for the type `T` (results and payloads are not validated at runtime). */
export interface TypeMarker<T> {
  readonly [typeOnly]?: T;
}
const MARKER: TypeMarker<never> = Object.freeze({});
export const typed = <T>(): TypeMarker<T> => MARKER as TypeMarker<T>;

export interface CommandSpec {
  params: Schema;
  result: TypeMarker<unknown>;
}
export interface TopicSpec {
  params: Schema;
  payload: TypeMarker<unknown>;
}

export type CommandTable = Record<string, CommandSpec>;
export type TopicTable = Record<string, TopicSpec>;

export type MarkedType<M> = M extends TypeMarker<infer T> ? T : never;

/** One numbered schema step. `up` runs inside a transaction together with its bookkeeping row. */
export interface Migration {
  version: number;
  name: string;
  up: string;
}

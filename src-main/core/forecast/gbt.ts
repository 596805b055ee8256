/**
 * Gradient-boosted regression trees for squared loss (Friedman 2001, with his stochastic variant of 2002: each
 * tree sees a random subsample of the rows), written out so the model is a plain JSON object another program can
 * evaluate. Trees are grown level by level to a fixed depth with exact splits: each feature is sorted once, and
 * one pass over that order per level finds the best threshold of every open node at once (O(depth x features x
 * rows) per tree, no per-node sorting). A split must leave `minLeaf` rows on each side.
 *
 * Deterministic: the only randomness is the row subsample, drawn from the injected generator.
 */
import type { RandomSource } from '../random';

export interface GbtOptions {
  trees: number;
  depth: number;
  learningRate: number;
  /** Least rows in a leaf. */
  minLeaf: number;
  /** Share of rows each tree is grown on, (0, 1]. */
  subsample: number;
}

export const DEFAULT_GBT_OPTIONS: Readonly<GbtOptions> = Object.freeze({ trees: 300, depth: 3, learningRate: 0.03, minLeaf: 30, subsample: 0.7 });

/** A tree in flat arrays: node i splits on `feature[i]` at `threshold[i]` (x <= threshold goes left: child 2i+1), or is a leaf (feature -1). */
export interface GbtTree {
  feature: number[];
  threshold: number[];
  value: number[];
}

export interface GbtModel {
  featureNames: string[];
  base: number;
  learningRate: number;
  trees: GbtTree[];
}

export function predictGbt(model: GbtModel, x: readonly number[]): number {
  let out = model.base;
  for (const tree of model.trees) {
    let node = 0;
    while (tree.feature[node]! >= 0) node = x[tree.feature[node]!]! <= tree.threshold[node]! ? 2 * node + 1 : 2 * node + 2;
    out += model.learningRate * tree.value[node]!;
  }
  return out;
}

/** Fits the model to rows `x` (all the same length, finite) and targets `y`. */
export function fitGbt(x: readonly (readonly number[])[], y: readonly number[], featureNames: readonly string[], rng: RandomSource, options: GbtOptions = DEFAULT_GBT_OPTIONS): GbtModel {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`fitGbt: ${n} rows but ${y.length} targets`);
  if (n < 2 * options.minLeaf) throw new RangeError(`fitGbt: ${n} rows are too few for leaves of ${options.minLeaf}`);
  const features = featureNames.length;
  x.forEach((row, i) => {
    if (row.length !== features) throw new RangeError(`fitGbt: row ${i} has ${row.length} features, expected ${features}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new RangeError(`fitGbt: row ${i} feature ${featureNames[j]} is ${String(v)}`);
    });
    if (!Number.isFinite(y[i]!)) throw new RangeError(`fitGbt: target ${i} is ${String(y[i])}`);
  });
  // Column-major copies: the split search walks one feature at a time.
  const columns: Float64Array[] = [];
  const order: Int32Array[] = [];
  for (let j = 0; j < features; j++) {
    const column = Float64Array.from(x, (row) => row[j]!);
    const idx = Int32Array.from({ length: n }, (_, i) => i);
    idx.sort((a, b) => column[a]! - column[b]!);
    columns.push(column);
    order.push(idx);
  }
  const base = y.reduce((s, v) => s + v, 0) / n;
  const fitted = new Float64Array(n).fill(base);
  const residual = new Float64Array(n);
  const nodeOf = new Int32Array(n);
  const trees: GbtTree[] = [];
  const size = 2 ** (options.depth + 1) - 1;
  for (let m = 0; m < options.trees; m++) {
    for (let i = 0; i < n; i++) {
      residual[i] = y[i]! - fitted[i]!;
      nodeOf[i] = rng.nextFloat() < options.subsample ? 0 : -1;
    }
    const tree: GbtTree = { feature: new Array<number>(size).fill(-1), threshold: new Array<number>(size).fill(0), value: new Array<number>(size).fill(0) };
    growTree(tree, columns, residual, nodeOf, order, options);
    // Leaf values are the mean residual of the subsample rows that reached them; route every row for the update.
    for (let i = 0; i < n; i++) {
      let node = 0;
      while (tree.feature[node]! >= 0) node = columns[tree.feature[node]!]![i]! <= tree.threshold[node]! ? 2 * node + 1 : 2 * node + 2;
      fitted[i] = fitted[i]! + options.learningRate * tree.value[node]!;
    }
    trees.push(tree);
  }
  return { featureNames: [...featureNames], base, learningRate: options.learningRate, trees };
}

function growTree(tree: GbtTree, columns: readonly Float64Array[], residual: Float64Array, nodeOf: Int32Array, order: readonly Int32Array[], options: GbtOptions): void {
  const size = tree.feature.length;
  const count = new Float64Array(size);
  const sum = new Float64Array(size);
  const n = residual.length;
  for (let i = 0; i < n; i++) {
    const node = nodeOf[i]!;
    if (node < 0) continue;
    count[node] = count[node]! + 1;
    sum[node] = sum[node]! + residual[i]!;
  }
  const leftCount = new Float64Array(size);
  const leftSum = new Float64Array(size);
  const lastValue = new Float64Array(size);
  const bestGain = new Float64Array(size);
  const bestFeature = new Int32Array(size);
  const bestThreshold = new Float64Array(size);
  for (let level = 0; level < options.depth; level++) {
    const first = 2 ** level - 1;
    const last = 2 ** (level + 1) - 2;
    bestGain.fill(0);
    bestFeature.fill(-1);
    for (let j = 0; j < order.length; j++) {
      leftCount.fill(0);
      leftSum.fill(0);
      lastValue.fill(Number.NaN);
      const idx = order[j]!;
      const column = columns[j]!;
      for (let p = 0; p < n; p++) {
        const i = idx[p]!;
        const node = nodeOf[i]!;
        if (node < first || node > last) continue;
        const v = column[i]!;
        const nl = leftCount[node]!;
        const nr = count[node]! - nl;
        if (nl >= options.minLeaf && nr >= options.minLeaf && v > lastValue[node]!) {
          const sl = leftSum[node]!;
          const sr = sum[node]! - sl;
          const gain = (sl * sl) / nl + (sr * sr) / nr - (sum[node]! * sum[node]!) / count[node]!;
          if (gain > bestGain[node]!) {
            bestGain[node] = gain;
            bestFeature[node] = j;
            bestThreshold[node] = 0.5 * (lastValue[node]! + v);
          }
        }
        leftCount[node] = nl + 1;
        leftSum[node] = leftSum[node]! + residual[i]!;
        lastValue[node] = v;
      }
    }
    let split = false;
    for (let node = first; node <= last; node++) {
      if (bestFeature[node]! < 0) continue;
      tree.feature[node] = bestFeature[node]!;
      tree.threshold[node] = bestThreshold[node]!;
      split = true;
    }
    if (!split) break;
    for (let i = 0; i < n; i++) {
      const node = nodeOf[i]!;
      if (node < first || node > last || tree.feature[node]! < 0) continue;
      const child = columns[tree.feature[node]!]![i]! <= tree.threshold[node]! ? 2 * node + 1 : 2 * node + 2;
      nodeOf[i] = child;
      count[child] = count[child]! + 1;
      sum[child] = sum[child]! + residual[i]!;
    }
  }
  for (let node = 0; node < size; node++) {
    if (tree.feature[node]! < 0 && count[node]! > 0) tree.value[node] = sum[node]! / count[node]!;
  }
}

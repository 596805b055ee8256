/**
 * The hedge selection MILP (core/hedge/selection.ts) solved by HiGHS (the `highs` package: HiGHS compiled to
 * WebAssembly). Runs as the named task `hedgeSolve` of the analytics worker, and in-process for the command line,
 * with the same code and options so both give the same proposal.
 */
import highsLoader, { type Highs } from 'highs';
import type { MilpModel, MilpSolution } from '../core/hedge/selection';

let runtime: Promise<Highs> | null = null;

/** HiGHS is loaded once per thread (about 3.5 MB of WebAssembly). */
function highs(): Promise<Highs> {
  runtime ??= highsLoader();
  return runtime;
}

/** HiGHS model status 7 = optimal, 8 = infeasible, 13 = time limit (types.d.ts ModelStatusCode). */
const OPTIMAL = 7;
const INFEASIBLE = 8;
const TIME_LIMIT = 13;
/** HiGHS model status 16 would be a solution-count limit; a node limit reports 14 (iteration/node limit) with an incumbent. */
const NODE_LIMIT = 14;
const MAX_NODES = 2000;

export async function solveMilp(model: MilpModel, options: { timeLimitSeconds: number }): Promise<MilpSolution> {
  const h = await highs();
  try {
    return h.withModel(
      {
        numCols: model.numCols,
        numRows: model.numRows,
        colCost: model.colCost,
        colLower: model.colLower.map((v) => (v === -Infinity ? -h.infinity : v)),
        colUpper: model.colUpper.map((v) => (v === Infinity ? h.infinity : v)),
        rowLower: model.rowLower.map((v) => (v === -Infinity ? -h.infinity : v)),
        rowUpper: model.rowUpper.map((v) => (v === Infinity ? h.infinity : v)),
        matrix: { format: 'csc', numRows: model.numRows, numCols: model.numCols, starts: model.matrix.starts, indices: model.matrix.indices, values: model.matrix.values },
        integrality: model.integrality as unknown as Int32Array,
      },
      (m): MilpSolution => {
        // Deterministic: a fixed seed and a node limit (not only a time limit, which would make the answer depend
        // on how busy the machine is); the time limit is a guard against a pathological model. Within 0.5 % of
        // the best bound is optimal enough for a trading cost.
        m.options.set({ output_flag: false, time_limit: options.timeLimitSeconds, random_seed: 0, mip_rel_gap: 0.005, mip_abs_gap: 1, mip_max_nodes: MAX_NODES });
        m.run();
        const status = m.getModelStatus();
        // At the node limit the best solution found is used (deterministic); a gap above the tolerance is rare.
        if (status === OPTIMAL || (status === NODE_LIMIT && m.info.get('primal_solution_status') === 2)) {
          return { status: 'optimal', x: Float64Array.from(m.getSolution().colValue) };
        }
        if (status === INFEASIBLE) return { status: 'infeasible', x: null };
        if (status === TIME_LIMIT) return { status: 'time-limit', x: null };
        return { status: 'error', x: null, message: `HiGHS model status ${status}` };
      },
    );
  } catch (error) {
    return { status: 'error', x: null, message: error instanceof Error ? error.message : String(error) };
  }
}

/** Named task `hedgeSolve`: `pool.run({ model, options }, { name: 'hedgeSolve' })`. */
export function hedgeSolveTask(input: { model: MilpModel; options: { timeLimitSeconds: number } }): Promise<MilpSolution> {
  return solveMilp(input.model, input.options);
}

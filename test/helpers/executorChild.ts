/**
 * A desk process for the kill -9 tests, run as `node --import tsx test/helpers/executorChild.ts DB MODE`:
 * it proposes and approves one two-leg hedge on the paper venue, then stops dead at the point MODE names and
 * waits to be killed:
 *   after-approval     the approval is committed, nothing is submitted;
 *   after-venue-submit the first leg reached the venue (the paper ledger committed the order and its fills),
 *                      but the desk never heard back (the venue's answer and its updates are lost).
 * There is no `gammadesk hedge` command yet to run instead (the lead builds it).
 */
import { Executor } from '../../src-main/app/execution/executor';
import { PaperVenue } from '../../src-main/app/execution/paperVenue';
import type { ExecutionVenue } from '../../src-main/core/execution/venue';
import { epochMs } from '../../src-main/core/units';
import { AuditLog } from '../../src-main/store/audit';
import { openDatabase } from '../../src-main/store/database';
import { RecommendationStore } from '../../src-main/store/recommendations';
import { crashRecommendation, CRASH_CLOCK_MS } from './executorCase';
import { deepMarket } from './paperMarket';

const [dbPath, mode] = process.argv.slice(2);
if (!dbPath || (mode !== 'after-approval' && mode !== 'after-venue-submit')) {
  process.stderr.write('usage: executorChild.ts DB after-approval|after-venue-submit\n');
  process.exit(2);
}
const db = openDatabase(dbPath);
const clock = () => epochMs(CRASH_CLOCK_MS);
const audit = new AuditLog(db, clock);
const store = new RecommendationStore(db, audit, clock);
const rec = store.propose(crashRecommendation());
store.approve(rec.id, 'trader:ana');
// Keep the process alive until the kill.
setInterval(() => undefined, 60_000);
if (mode === 'after-venue-submit') {
  const paper = new PaperVenue(db, deepMarket(), clock);
  const silent: ExecutionVenue = {
    kind: paper.kind,
    submit: async (order) => {
      await paper.submit(order);
      process.stderr.write(`sent ${order.label}\n`);
      return new Promise(() => undefined); // the answer never arrives
    },
    cancel: (label) => paper.cancel(label),
    ordersByLabel: (label) => paper.ordersByLabel(label),
    onUpdate: () => () => undefined, // and neither do the updates
    close: () => paper.close(),
  };
  void new Executor(db, store, audit, silent, clock).execute(rec.id);
}
process.stderr.write(`approved ${rec.id}\n`);

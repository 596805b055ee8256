/**
 * Jobs-pool task `sessionRead` (workers/sessionReadTask.ts): a database file that cannot be opened fails the task
 * with the open error and still closes the task's port (the main side's channel learns the task ended).
 */
import path from 'node:path';
import { once } from 'node:events';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { sessionRead } from '../../../src-main/workers/sessionReadTask';
import { makeTempDir } from '../../helpers/tmp';

const temp = makeTempDir('gammadesk-session-read-');
afterAll(() => temp.remove());

describe('sessionRead', () => {
  it('a database that cannot be opened fails the task and closes its port', async () => {
    const { port1, port2 } = new MessageChannel();
    const closed = once(port2, 'close');
    const missing = path.join(temp.dir, 'no-such-folder', 'app.db');
    expect(() => sessionRead({ dbFile: missing, source: { type: 'session', sessionId: 1, currency: 'BTC' }, port: port1 })).toThrow();
    await closed;
  });
});

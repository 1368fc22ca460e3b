// The core of the conformance suite from the TypeScript SDK (its worker runs on the SDK's native
// Rust core): timer, workflow clock, signal, query, update, signal-with-start, against the Temporal
// at the address given. Prints one line per check, "ok NAME (N ms)" or "FAIL NAME: why"; exit 0
// when every check passed, 1 otherwise, 2 when the worker or client could not even start.
// Usage: node conformance.js HOST:PORT
const { randomUUID } = require('node:crypto');
const { Client, Connection, WorkflowUpdateFailedError } = require('@temporalio/client');
const { NativeConnection, Worker, Runtime, DefaultLogger } = require('@temporalio/worker');

const address = process.argv[2];
if (!address) {
  console.error('usage: node conformance.js HOST:PORT');
  process.exit(2);
}
Runtime.install({ logger: new DefaultLogger('WARN') });

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function same(actual, expected, what) {
  check(JSON.stringify(actual) === JSON.stringify(expected),
    `${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

async function main() {
  const taskQueue = `conformance-ts-${randomUUID()}`;
  const worker = await Worker.create({
    connection: await NativeConnection.connect({ address }),
    namespace: 'default',
    taskQueue,
    workflowsPath: require.resolve('./workflows'),
  });
  const client = new Client({ connection: await Connection.connect({ address }), namespace: 'default' });
  const start = (type, args) => client.workflow.start(type, {
    taskQueue, args, workflowId: `${type}-${randomUUID()}`, workflowExecutionTimeout: '2 minutes',
  });

  const checks = {
    'a 2 s timer takes at least 2 s of wall time': async () => {
      const began = Date.now();
      const workflowMillis = await (await start('timer', [2000])).result();
      const wallMillis = Date.now() - began;
      check(wallMillis >= 2000, `a 2 s sleep took ${wallMillis} ms of wall time`);
      check(workflowMillis >= 2000 && workflowMillis < wallMillis + 1000,
        `${workflowMillis} ms of workflow time passed in a 2 s sleep (wall: ${wallMillis} ms)`);
    },
    'the workflow clock is within seconds of the wall clock': async () => {
      const before = Date.now();
      const workflowNow = await (await start('clock', [])).result();
      const after = Date.now();
      check(workflowNow >= before - 5000 && workflowNow <= after + 5000,
        `workflow clock ${new Date(workflowNow).toISOString()}, wall clock ${new Date(after).toISOString()}`);
    },
    'a workflow waits for a signal; queries see its state': async () => {
      const handle = await start('mailbox', [2]);
      await pause(1500); // long enough for a server that skips time to have timed it out
      same(await handle.query('items'), [], 'items before any signal');
      await handle.signal('put', 'first');
      same(await handle.query('items'), ['first'], 'items after one signal');
      same((await handle.describe()).status.name, 'RUNNING', 'status while waiting');
      await handle.signal('put', 'second');
      same(await handle.result(), ['first', 'second'], 'result');
    },
    'update returns a result; a rejected update changes nothing': async () => {
      const handle = await start('mailbox', [2]);
      await pause(1500);
      same(await handle.executeUpdate('add', { args: ['one'] }), 1, 'first update');
      let rejected = null;
      try {
        await handle.executeUpdate('add', { args: [' '] });
      } catch (e) {
        rejected = e;
      }
      check(rejected instanceof WorkflowUpdateFailedError, `a blank item was not rejected: ${rejected}`);
      same(await handle.query('items'), ['one'], 'items after a rejected update');
      same(await handle.executeUpdate('add', { args: ['two'] }), 2, 'second update');
      same(await handle.result(), ['one', 'two'], 'result');
    },
    'signal-with-start starts and signals in one call': async () => {
      const handle = await client.workflow.signalWithStart('mailbox', {
        taskQueue, args: [1], workflowId: `signal-with-start-${randomUUID()}`, workflowExecutionTimeout: '2 minutes',
        signal: 'put', signalArgs: ['early'],
      });
      same(await handle.result(), ['early'], 'result');
    },
  };

  let failed = 0;
  await worker.runUntil(async () => {
    for (const [name, run] of Object.entries(checks)) {
      const began = Date.now();
      try {
        await run();
        console.log(`ok ${name} (${Date.now() - began} ms)`);
      } catch (e) {
        failed++;
        console.log(`FAIL ${name}: ${e && e.message ? e.message : e}`);
      }
    }
  });
  await client.connection.close();
  return failed === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (e) => {
  console.error(`conformance: could not run: ${e && e.stack ? e.stack : e}`);
  process.exit(2);
});

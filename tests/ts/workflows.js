// Workflows of the TypeScript conformance suite, written as a user of the SDK would write them.
// Inside a workflow, Date.now() is the workflow clock and sleep() is a durable timer.
const { sleep, condition, defineSignal, defineQuery, defineUpdate, setHandler } = require('@temporalio/workflow');

const put = defineSignal('put');
const items = defineQuery('items');
const add = defineUpdate('add');

/** Sleeps, then returns how much workflow time passed. */
async function timer(millis) {
  const before = Date.now();
  await sleep(millis);
  return Date.now() - before;
}

async function clock() {
  return Date.now();
}

/** Collects items sent by signal or update until it has `count`; queryable meanwhile. */
async function mailbox(count) {
  const collected = [];
  setHandler(put, (item) => { collected.push(item); });
  setHandler(items, () => collected);
  setHandler(add, (item) => { collected.push(item); return collected.length; }, {
    validator: (item) => { if (!item || !item.trim()) throw new Error('an item must not be blank'); },
  });
  await condition(() => collected.length >= count);
  return collected;
}

module.exports = { timer, clock, mailbox };

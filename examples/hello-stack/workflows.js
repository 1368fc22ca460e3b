const { proxyActivities } = require('@temporalio/workflow');

const { greet } = proxyActivities({ startToCloseTimeout: '10 seconds' });

/** The whole workflow: one activity. */
async function hello(name) {
  return await greet(name);
}

module.exports = { hello };

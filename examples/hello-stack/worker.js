// A Temporal worker for the `hello` task queue. stigmer local gives it Temporal's standard client
// variables (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE); it prints "Worker started" once it polls.
const { NativeConnection, Worker } = require('@temporalio/worker');
const activities = require('./activities');

async function main() {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS || 'localhost:7233' });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE || 'default',
    taskQueue: 'hello',
    workflowsPath: require.resolve('./workflows'),
    activities,
  });
  console.log(`Worker started on task queue hello at ${process.env.TEMPORAL_ADDRESS}`);
  await worker.run();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

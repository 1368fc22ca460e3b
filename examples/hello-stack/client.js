// Runs the `hello` workflow once and prints its result.
const { Client, Connection } = require('@temporalio/client');

async function main() {
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS || 'localhost:7233' });
  const client = new Client({ connection, namespace: process.env.TEMPORAL_NAMESPACE || 'default' });
  const result = await client.workflow.execute('hello', {
    taskQueue: 'hello',
    workflowId: `hello-${Date.now()}`,
    args: [process.argv[2] || 'World'],
  });
  console.log(result);
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

// A game server that submits scores for one player through the SDK's durable queue (a FileStore),
// for the integration test, which kills and restarts it. It queues the values FROM..TO-1 (one
// intended submission each), prints `queued <n>` once they are all in the store, then waits until
// every submission is answered, prints what happened as one JSON line, and exits. It also prints
// each submission that the lookup found stored after a restart.
import { FileStore } from '../../dist/file-store.js';
import { ScoreboardClient } from '../../dist/index.js';

const { BASE_URL, API_KEY, USER_ID, BOARD, STORE, FROM, TO } = process.env;
const client = new ScoreboardClient({
  baseUrl: BASE_URL,
  credentials: { apiKey: API_KEY },
  store: new FileStore(STORE),
  timeoutMs: 5_000,
  queue: { backoff: { baseMs: 20, maxMs: 400 } },
});
const counts = { accepted: 0, replayed: 0, settledByLookup: 0, retrying: 0, refused: 0 };
client.queue.on((event) => {
  if (event.type === 'queued') return;
  if (event.type === 'replayed' && 'status' in event.score) {
    counts.settledByLookup += 1;
    console.log(`settled by lookup ${event.submission.value}`);
  }
  counts[event.type] = (counts[event.type] ?? 0) + 1;
  if (event.type === 'refused')
    console.log(`refused ${event.submission.value}: ${event.error.message}`);
});

await client.queue.start();
console.log(`resumed ${client.queue.pending.length} from the store`);
for (let value = Number(FROM); value < Number(TO); value++) {
  await client.submit({ value, board: BOARD, userId: USER_ID });
}
console.log(`queued ${TO}`);
await client.queue.whenEmpty();
console.log(`done ${JSON.stringify(counts)}`);

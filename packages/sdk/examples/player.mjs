// A player's session against a running server (`npm start`), through the SDK:
//
//   npm run build -w packages/sdk
//   node packages/sdk/examples/player.mjs [http://localhost:3000]
//
// It signs up a new player, queues five scores in a file store (run it again after killing it
// mid-way: what was not answered is sent, or settled by the lookup), follows the live stream
// until its stats count them, prints the leaderboard and stops.
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileStore } from '../dist/file-store.js';
import { ScoreboardClient } from '../dist/index.js';

const baseUrl = process.argv[2] ?? 'http://localhost:3000';
const signup = await fetch(`${baseUrl}/api/auth/signup`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: `player-${randomUUID()}@example.com`, password: 'example-pass' }),
});
if (!signup.ok) throw new Error(`signup: ${signup.status} ${await signup.text()}`);
const { access_token: token, user } = await signup.json();
console.log(`signed up as ${user.display_name} (#${user.id})`);

const scoreboard = new ScoreboardClient({
  baseUrl,
  credentials: { token },
  store: new FileStore(join(tmpdir(), 'scoreboard-example-queue.json')),
});
scoreboard.queue.on((event) => {
  const what = event.submission ? ` ${event.submission.value}` : '';
  const why = event.error ? `: ${event.error.message}` : '';
  console.log(`queue: ${event.type}${what}${why}`);
});

let resolveCounted;
const counted = new Promise((resolve) => (resolveCounted = resolve));
const live = scoreboard.live({
  onEvent: ({ type, data }) => {
    if (type !== 'stats') return;
    console.log(`live: ${data.total_scores} scores, best ${data.high_score}`);
    if (data.total_scores === 5) resolveCounted();
  },
  onState: (state) => console.log(`live: ${state}`),
});

await scoreboard.queue.start();
for (const value of [12, 57, 33, 90, 41]) await scoreboard.submit({ value });
await scoreboard.queue.whenEmpty();
await counted;
live.close();

const { items } = await scoreboard.leaderboard('global', { limit: 5 });
for (const entry of items) console.log(`#${entry.rank} ${entry.display_name}: ${entry.high_score}`);

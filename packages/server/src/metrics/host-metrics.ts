import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/**
 * GET /metrics with API_PROCESSES above 1. A scrape reaches whichever HTTP process took its
 * connection; that process asks the primary, which collects every HTTP process's metrics and
 * merges them (counters and histograms summed, the backlog gauges and a few of Node's by their
 * own rule), so a scrape reads the host, not one process of it.
 */
const ASK_PRIMARY = 'scoreboard:host-metrics';
const COLLECT = 'scoreboard:collect-metrics';
/** How long the primary waits for each process's metrics; one that does not answer is left out. */
const COLLECT_TIMEOUT_MS = 2000;
const ASK_TIMEOUT_MS = COLLECT_TIMEOUT_MS + 1000;

type Metrics = MetricObjectWithValues<MetricValue<string>>[];
type Message = { type: string; id: number; metrics?: Metrics; text?: string; error?: string };

const isMessage = (value: unknown): value is Message =>
  typeof value === 'object' && value !== null && 'type' in value && 'id' in value;

/** In an HTTP process of a primary: whether metrics are the host's (see hostMetrics). */
export const servesHostMetrics = () => cluster.isWorker && process.send !== undefined;

let nextId = 0;
const asked = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();

/**
 * In an HTTP process: answers the primary's collections with `own`, and resolves host-metric
 * requests. Called once per process.
 */
export function answerCollections(own: () => Promise<Metrics>): void {
  process.on('message', (message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === COLLECT) {
      own().then(
        (metrics) => process.send!({ type: COLLECT, id: message.id, metrics }),
        (error: Error) => process.send!({ type: COLLECT, id: message.id, error: error.message }),
      );
    } else if (message.type === ASK_PRIMARY) {
      const request = asked.get(message.id);
      asked.delete(message.id);
      if (message.text !== undefined) request?.resolve(message.text);
      else request?.reject(new Error(message.error ?? 'no metrics'));
    }
  });
}

/** In an HTTP process: the host's metrics in Prometheus text, from the primary. */
export function hostMetrics(): Promise<string> {
  const id = nextId++;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      asked.delete(id);
      reject(new Error('The primary did not answer with the metrics'));
    }, ASK_TIMEOUT_MS);
    asked.set(id, {
      resolve: (text) => (clearTimeout(timer), resolve(text)),
      reject: (error) => (clearTimeout(timer), reject(error)),
    });
    process.send!({ type: ASK_PRIMARY, id });
  });
}

/** In the primary: answers an HTTP process's request with the merged metrics of `processes()`. */
export function serveHostMetrics(processes: () => Worker[]): void {
  let nextCollection = 0;
  const collecting = new Map<number, (metrics: Metrics | undefined) => void>();
  const collect = (worker: Worker) =>
    new Promise<Metrics | undefined>((resolve) => {
      const id = nextCollection++;
      const timer = setTimeout(() => done(undefined), COLLECT_TIMEOUT_MS);
      const done = (metrics: Metrics | undefined) => {
        clearTimeout(timer);
        collecting.delete(id);
        resolve(metrics);
      };
      collecting.set(id, done);
      worker.send({ type: COLLECT, id });
    });

  cluster.on('message', (worker, message: unknown) => {
    if (!isMessage(message)) return;
    if (message.type === COLLECT) {
      collecting.get(message.id)?.(message.metrics);
    } else if (message.type === ASK_PRIMARY) {
      void Promise.all(processes().map(collect))
        .then((all) =>
          AggregatorRegistry.aggregate(all.filter((metrics) => metrics !== undefined)).metrics(),
        )
        .then(
          (text) => worker.send({ type: ASK_PRIMARY, id: message.id, text }),
          (error: Error) =>
            worker.send({ type: ASK_PRIMARY, id: message.id, error: error.message }),
        )
        .catch(() => undefined); // the asking process died meanwhile
    }
  });
}

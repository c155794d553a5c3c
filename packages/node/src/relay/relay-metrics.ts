import type { Registry } from 'prom-client';
import type { KissmetricsRelay } from './create-relay.js';

/**
 * A prom-client registry, as far as the relay's metrics use one: prom-client's `register` or a
 * `new Registry()` fits. Spelt out rather than imported, so that the relay's declarations compile
 * without prom-client installed (it is an optional peer dependency).
 */
export interface MetricsRegistry {
  registerMetric(metric: never): void;
  getSingleMetric(name: string): unknown;
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** Options of {@link registerRelayMetrics}. */
export interface RelayMetricsOptions {
  /** The prom-client registry to register on (your `register`, or a `new Registry()`). */
  readonly registry: MetricsRegistry;
  /** Prefix of every metric name. Default `kmkit_relay_`. */
  readonly prefix?: string;
  /** Labels added to every metric (`{ instance: 'relay-1' }`). */
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * Registers a relay's Prometheus metrics on a prom-client registry (prom-client is an optional
 * peer dependency: install it to use this). Each is read from `relay.stats()` when scraped, so they
 * cost nothing between scrapes:
 *
 * | metric | type | |
 * |---|---|---|
 * | `kmkit_relay_accepted_total` | counter | requests answered 200 (queued, and spooled with a spool) |
 * | `kmkit_relay_refused_total{reason}` | counter | requests refused, by reason (`unknown_api_key`, `queue_full`...) |
 * | `kmkit_relay_delivered_total` | counter | requests Kissmetrics acknowledged |
 * | `kmkit_relay_failed_total` | counter | requests failed for good (a final status, or too old) |
 * | `kmkit_relay_dropped_total` | counter | requests the client dropped (refused at a cap, left at close without a spool) |
 * | `kmkit_relay_retries_total` | counter | attempts retried |
 * | `kmkit_relay_queued` | gauge | requests waiting or in flight |
 * | `kmkit_relay_in_flight` | gauge | requests on the wire |
 * | `kmkit_relay_concurrency` | gauge | the adaptive window: requests allowed in flight now |
 * | `kmkit_relay_spool_bytes` | gauge | unacknowledged bytes in the spool (0 without one) |
 *
 * @example
 * ```ts
 * import { register } from 'prom-client';
 * await registerRelayMetrics(relay, { registry: register });
 * app.get('/metrics', async (_req, res) => res.type(register.contentType).send(await register.metrics()));
 * ```
 */
export async function registerRelayMetrics(
  relay: KissmetricsRelay,
  options: RelayMetricsOptions,
): Promise<void> {
  const { Counter, Gauge } = await import('prom-client');
  const { registry, prefix = 'kmkit_relay_', labels = {} } = options;
  const labelNames = Object.keys(labels);
  // The registry is prom-client's own (the type above is its shape, seen from outside).
  const registers = [registry as unknown as Registry];

  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name: `${prefix}${name}`,
      help,
      labelNames,
      registers,
      collect() {
        this.reset();
        this.inc(labels, read());
      },
    });
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name: `${prefix}${name}`,
      help,
      labelNames,
      registers,
      collect() {
        this.set(labels, read());
      },
    });

  const client = () => relay.stats().client;
  counter(
    'accepted_total',
    'Requests answered 200: queued, and written to the spool when there is one',
    () => relay.stats().accepted,
  );
  new Counter({
    name: `${prefix}refused_total`,
    help: 'Requests refused, by reason',
    labelNames: [...labelNames, 'reason'],
    registers,
    collect() {
      this.reset();
      for (const [reason, count] of Object.entries(relay.stats().refused)) {
        this.inc({ ...labels, reason }, count ?? 0);
      }
    },
  });
  counter('delivered_total', 'Requests Kissmetrics acknowledged', () => client().delivered);
  counter(
    'failed_total',
    'Requests failed for good (a final status, or older than retry.maxAgeMs)',
    () => client().failed,
  );
  counter(
    'dropped_total',
    'Requests the client dropped (refused at a cap, or left unsent at close without a spool)',
    () => client().dropped,
  );
  counter('retries_total', 'Attempts retried', () => client().retries);
  gauge('queued', 'Requests waiting or in flight', () => client().queued);
  gauge('in_flight', 'Requests on the wire', () => client().inFlight);
  gauge(
    'concurrency',
    'Requests allowed in flight now (the adaptive window)',
    () => client().concurrency ?? 0,
  );
  gauge('spool_bytes', 'Unacknowledged bytes in the spool', () => client().spool?.bytes ?? 0);
}

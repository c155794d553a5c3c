// `@kmkit/node/relay` as Node resolves it: the relay for the browser's cloud mode, through the
// Node client (spool included). The edge build's is in `workerd/`.
import { createServer } from 'node:http';
import type { CloseResult, FlushResult } from '@kmkit/core';
import type { ClientStats, KissmetricsClient, KmSpoolErrorCode } from '@kmkit/node';
import {
  createKissmetricsRelay,
  type KissmetricsRelay,
  type KissmetricsRelayOptions,
  KmSpoolError,
  KmValidationError,
  type MetricsRegistry,
  type NodeListener,
  type RelayAnswer,
  type RelayHealth,
  type RelayRefusalReason,
  type RelayStats,
  registerRelayMetrics,
} from '@kmkit/node/relay';
import { expectTypeOf } from 'expect-type';
import { Registry } from 'prom-client';

// --- options: apiKey or apiKeys, exactly one -----------------------------------------------
const relay = createKissmetricsRelay({ apiKey: 'key' });
expectTypeOf(relay).toEqualTypeOf<KissmetricsRelay>();
createKissmetricsRelay({ apiKeys: ['key-1', 'key-2'] });
createKissmetricsRelay({
  apiKey: 'key',
  endpoint: 'http://127.0.0.1:8080',
  allowedOrigins: ['https://www.example.com'],
  trustedProxies: 1,
  spool: { dir: '/var/lib/km-relay', fsync: 'always' },
  maxBodyBytes: 65_536,
  maxUrlBytes: 16_384,
  maxParameters: 256,
  bodyTimeoutMs: 10_000,
  limits: { valueLength: 1024 },
  retryAfterSeconds: 5,
  maxConcurrency: 64,
  retry: { maxAgeMs: 3_600_000 },
  maxQueueLength: 1000,
  waitUntil: () => {},
});
createKissmetricsRelay({ apiKey: 'key', allowedOrigins: '*' });
// @ts-expect-error no options object
createKissmetricsRelay();
// @ts-expect-error an API key is required: the relay is never an open relay
createKissmetricsRelay({});
// @ts-expect-error an API key is required
createKissmetricsRelay({ allowedOrigins: '*' });
// @ts-expect-error apiKey or apiKeys, not both
createKissmetricsRelay({ apiKey: 'key', apiKeys: ['key-2'] });
// @ts-expect-error apiKey is a string
createKissmetricsRelay({ apiKey: 12345 });
// @ts-expect-error apiKeys is a list
createKissmetricsRelay({ apiKeys: 'key' });
// @ts-expect-error a misspelt option
createKissmetricsRelay({ apiKey: 'key', allowedOrigin: ['https://www.example.com'] });
// @ts-expect-error a list of origins, or '*'
createKissmetricsRelay({ apiKey: 'key', allowedOrigins: 'https://www.example.com' });
// @ts-expect-error trustedProxies counts proxies
createKissmetricsRelay({ apiKey: 'key', trustedProxies: true });
// @ts-expect-error a spool needs its dir
createKissmetricsRelay({ apiKey: 'key', spool: {} });
// @ts-expect-error a relay cannot evict what it acknowledged: no overflow option
createKissmetricsRelay({ apiKey: 'key', overflow: 'drop-oldest' });
// @ts-expect-error mapping options do not apply to requests the browser already mapped
createKissmetricsRelay({ apiKey: 'key', preset: 'segment' });
// Options held in a variable keep the rule.
const fromConfig: KissmetricsRelayOptions = { apiKeys: ['key'], trustedProxies: 2 };
createKissmetricsRelay(fromConfig);
// @ts-expect-error neither key
const keyless: KissmetricsRelayOptions = { trustedProxies: 2 };

// --- serving -------------------------------------------------------------------------------
declare const request: Request;
expectTypeOf(relay.handle(request)).toEqualTypeOf<Promise<Response>>();
relay.handle(request, { remoteAddress: '203.0.113.9' });
// @ts-expect-error a web Request, not a URL
relay.handle('https://example.com/km/e');
// @ts-expect-error a misspelt request fact
relay.handle(request, { remoteAddr: '203.0.113.9' });
expectTypeOf(relay.listener).toEqualTypeOf<NodeListener>();
createServer({ headersTimeout: 10_000, requestTimeout: 15_000 }, relay.listener);
expectTypeOf(relay.client).toEqualTypeOf<KissmetricsClient>();
expectTypeOf(relay.flush()).toEqualTypeOf<Promise<FlushResult>>();
expectTypeOf(relay.close()).toEqualTypeOf<Promise<CloseResult>>();
relay.close({ timeoutMs: 5000 });
// @ts-expect-error a misspelt close option
relay.close({ timeout: 5000 });

// --- answers, stats, health ----------------------------------------------------------------
relay.on('answer', (answer) => {
  expectTypeOf(answer).toEqualTypeOf<RelayAnswer>();
  if (answer.outcome === 'refused') {
    expectTypeOf(answer.reason).toEqualTypeOf<RelayRefusalReason>();
    expectTypeOf(answer.status).toBeNumber();
  } else if (answer.outcome === 'accepted') {
    expectTypeOf(answer.status).toEqualTypeOf<200>();
    expectTypeOf(answer.ip).toEqualTypeOf<string | undefined>();
  }
});
// @ts-expect-error no such event
relay.on('request', () => {});
const stats = relay.stats();
expectTypeOf(stats).toEqualTypeOf<RelayStats>();
expectTypeOf(stats.accepted).toBeNumber();
expectTypeOf(stats.refused).toEqualTypeOf<Readonly<Partial<Record<RelayRefusalReason, number>>>>();
expectTypeOf(stats.client).toEqualTypeOf<ClientStats>();
expectTypeOf(relay.health().body).toEqualTypeOf<RelayHealth>();
expectTypeOf(relay.health().body.status).toEqualTypeOf<'ok' | 'closed' | 'saturated'>();
// @ts-expect-error not a refusal reason
const unknownReason: RelayRefusalReason = 'bad_request';

// --- metrics and errors --------------------------------------------------------------------
expectTypeOf(registerRelayMetrics(relay, { registry: new Registry() })).toEqualTypeOf<
  Promise<void>
>();
registerRelayMetrics(relay, { registry: new Registry(), prefix: 'km_', labels: { pod: 'a' } });
// @ts-expect-error a registry is required
registerRelayMetrics(relay, {});
// @ts-expect-error a prom-client registry, not any object
registerRelayMetrics(relay, { registry: {} });
// The registry's type is spelt out (prom-client is optional): prom-client's own fits it.
expectTypeOf<Registry>().toMatchTypeOf<MetricsRegistry>();
// @ts-expect-error labels are strings
registerRelayMetrics(relay, { registry: new Registry(), labels: { pod: 1 } });
declare const caught: unknown;
if (KmSpoolError.isInstance(caught)) expectTypeOf(caught.code).toEqualTypeOf<KmSpoolErrorCode>();
if (KmValidationError.isInstance(caught)) expectTypeOf(caught.path).toBeString();

export { keyless, unknownReason };

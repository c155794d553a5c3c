// Placeholder until the playground flows land: prints the tracking requests of one event.
import { toTrackingRequest } from '@kmkit/core';

const request = toTrackingRequest(
  { type: 'record', person: 'my-userID', event: 'Track me', time: 1700000000, properties: {} },
  { apiKey: 'demo-key' },
);
console.log(request.method, request.url);

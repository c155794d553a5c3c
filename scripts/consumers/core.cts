// @kmkit/core from CommonJS: the README's first example, reduced to its first URL.
import { mapEvent, parseEvent, toTrackingRequest } from '@kmkit/core';

const event = parseEvent({
  type: 'track',
  userId: 'bob@example.com',
  event: 'Order Completed',
  timestamp: '2024-05-01T10:00:00Z',
  properties: { order_id: 'A-1001' },
});
const { commands, warnings } = mapEvent(event);
const url = commands[0] && toTrackingRequest(commands[0], { apiKey: 'your-api-key' }).url;
const expected =
  'https://trk.kissmetrics.io/e?_k=your-api-key&_p=bob%40example.com&_n=Order%20Completed&_t=1714557600&_d=1&order_id=A-1001';
if (commands.length !== 1 || warnings.length !== 0 || url !== expected) {
  throw new Error(
    `expected one command with URL ${expected}, got ${JSON.stringify({ commands, warnings, url })}`,
  );
}
console.log('cjs ok');

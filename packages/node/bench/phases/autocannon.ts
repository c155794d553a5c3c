// autocannon -c 32 on the same server and request shape: the loopback limit.
import autocannon from 'autocannon';
import { benchUrl, report } from '../shape.js';

const [endpoint, seconds] = process.argv.slice(2);
const url = benchUrl(endpoint!, 1);
const result = await autocannon({
  url,
  connections: 32,
  duration: Number(seconds),
});
report({
  requests: result.requests.total,
  seconds: result.duration,
  perSecond: result['2xx'] / result.duration,
  errors: result.errors + result.non2xx,
});

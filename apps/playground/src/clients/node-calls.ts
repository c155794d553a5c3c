import type { KissmetricsClient } from '@kmkit/node';
import { callText } from '../flow/call-text.js';
import type { Call } from '../flow/types.js';
import { toCallError, toCallWarnings } from '../flow/views.js';

/** The message-taking methods of the `@kmkit/node` client. */
export type NodeCallName = 'identify' | 'track' | 'page' | 'screen' | 'alias' | 'group';

/**
 * Makes one call on a `@kmkit/node` client and tells what a user sees: the requests it queued and
 * its warnings, or the error it threw (nothing of the message is then queued).
 */
export function callNodeClient(
  client: KissmetricsClient,
  method: NodeCallName,
  message: Record<string, unknown>,
): Call {
  const call = callText(`km.${method}`, message);
  try {
    // The flows pass raw messages on purpose (bad input included): past the calls' exact types.
    const result = (
      client[method] as unknown as (
        message: Record<string, unknown>,
      ) => ReturnType<KissmetricsClient['track']>
    )(message);
    const queued = `queued ${result.queued} request${result.queued === 1 ? '' : 's'}`;
    return {
      call,
      result: result.accepted ? queued : `${queued}, not accepted`,
      ...(result.warnings.length === 0 ? {} : { warnings: toCallWarnings(result.warnings) }),
    };
  } catch (error) {
    return { call, error: toCallError(error) };
  }
}

import type { ServerStatus } from '../../shared/status';
import { checkout, type CheckoutOptions, type CheckoutRequest, type HeldLicense } from './checkout';
import { ConnectionError, ServerConnection, type ConnectOptions } from './connection';
import type { Attempt, ServerAddress } from './search';

/** What the search does at one address, built on the client library (sockets: a driver). */

/** Checkout at one address; the client library follows a standby's redirect to the master. */
export function checkoutAttempt(request: CheckoutRequest, options: CheckoutOptions): Attempt<HeldLicense> {
  return async (address) => {
    const result = await checkout([address], request, options);
    switch (result.kind) {
      case 'granted':
        return { kind: 'granted', value: result.license, server: result.license.server };
      case 'denied':
        return { kind: 'denied', code: result.code, reason: result.reason, server: result.server };
      case 'unreachable':
        return { kind: 'unreachable', error: result.errors.join('; ') };
    }
  };
}

export type StatusAnswer = { status: ServerStatus } | { failure: { code: string | null; message: string } };

/** One status query; a failure says why in Node's error-code terms for lmstat's wording. */
export async function queryStatus(address: ServerAddress, options: ConnectOptions): Promise<StatusAnswer> {
  let connection: ServerConnection;
  try {
    connection = await ServerConnection.open(address, options);
  } catch (error) {
    return { failure: failureOf(error) };
  }
  try {
    const reply = await connection.request({ type: 'status' });
    if (reply.type === 'statusReply') return { status: reply.status };
    return { failure: { code: null, message: `unexpected ${reply.type} reply to a status query` } };
  } catch (error) {
    return { failure: failureOf(error) };
  } finally {
    connection.close();
  }
}

// The client library words its errors for people; lmstat needs the errno class behind them.
function failureOf(error: unknown): { code: string | null; message: string } {
  const message = error instanceof Error ? error.message : String(error);
  if (!(error instanceof ConnectionError)) return { code: null, message };
  if (/Connection refused/.test(message)) return { code: 'ECONNREFUSED', message };
  if (/no answer within/.test(message)) return { code: 'ETIMEDOUT', message };
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return { code: 'ENOTFOUND', message };
  return { code: null, message };
}

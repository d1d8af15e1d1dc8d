import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { DebugLogEntry, DebugLogQuery, Store } from '../../store';
import type { MasterLogPage, MasterLogQuery } from '../triadSeam';

/**
 * The master's debug log, read from a standby over the authenticated peer link: only the master
 * writes the debug log (DESIGN.md section 5), so a standby's admin UI asks the master for it.
 * These two messages travel beside the quorum's messages but never reach the QuorumMachine.
 */

/** A reply must cross the smallest peer frame limit (64 KiB) with room for the envelope. */
const PAGE_BYTES = 48 * 1024;
const ANSWER_TIMEOUT_MS = 5_000;

const text = z.string().max(1_000);
const querySchema = z.strictObject({
  sinceMs: z.number().int().nonnegative().optional(),
  untilMs: z.number().int().nonnegative().optional(),
  afterId: z.number().int().nonnegative().optional(),
  limit: z.number().int().min(1).max(5_000),
  newest: z.boolean().optional(),
  daemon: text.optional(),
  text: text.optional(),
}) satisfies z.ZodType<MasterLogQuery>;
const entrySchema = z.strictObject({ id: z.number().int(), timeMs: z.number(), daemon: z.string().max(64), message: z.string().max(16_384) });

export const logQueryMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('logQuery'), requestId: z.string().max(64), query: querySchema }),
  z.strictObject({
    type: z.literal('logPage'),
    requestId: z.string().max(64),
    lines: z.array(entrySchema).max(5_000),
    /** False when the page was cut to fit a frame: ask again after the last line. */
    complete: z.boolean(),
  }),
]);
export type LogQueryMessage = z.infer<typeof logQueryMessageSchema>;


interface Waiting {
  resolve: (page: MasterLogPage) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class PeerLogQuery {
  private readonly waiting = new Map<string, Waiting>();

  constructor(private readonly store: Store) {}

  /** Handles a log message from a peer; false when `raw` is not one (a quorum message). */
  receive(raw: unknown, reply: (message: LogQueryMessage) => void): boolean {
    if (typeof raw !== 'object' || raw === null || !('type' in raw) || (raw.type !== 'logQuery' && raw.type !== 'logPage')) return false;
    const parsed = logQueryMessageSchema.safeParse(raw);
    if (!parsed.success) return true;
    const message = parsed.data;
    if (message.type === 'logQuery') reply({ type: 'logPage', requestId: message.requestId, ...this.page(message.query) });
    else this.settle(message.requestId, (w) => w.resolve({ lines: message.lines, complete: message.complete }));
    return true;
  }

  /** Asks through `send` (the master's link); rejects when no answer comes in time. */
  ask(query: MasterLogQuery, send: (message: LogQueryMessage) => void): Promise<MasterLogPage> {
    const requestId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.settle(requestId, (w) => w.reject(new Error('the master did not answer in time'))), ANSWER_TIMEOUT_MS);
      this.waiting.set(requestId, { resolve, reject, timer });
      send({ type: 'logQuery', requestId, query });
    });
  }

  /** Rejects every open question (the link or the server went away). */
  abandon(reason: string): void {
    for (const requestId of [...this.waiting.keys()]) this.settle(requestId, (w) => w.reject(new Error(reason)));
  }

  private settle(requestId: string, action: (waiting: Waiting) => void): void {
    const waiting = this.waiting.get(requestId);
    if (!waiting) return;
    this.waiting.delete(requestId);
    clearTimeout(waiting.timer);
    action(waiting);
  }

  /** The matching lines, cut to one frame: the newest kept for a `newest` query, else the oldest. */
  private page(query: MasterLogQuery): MasterLogPage {
    const lines = this.store.debugLog.query(query satisfies DebugLogQuery);
    let bytes = 0;
    const order = query.newest ? [...lines].reverse() : lines;
    const kept: DebugLogEntry[] = [];
    for (const line of order) {
      bytes += Buffer.byteLength(line.message) + line.daemon.length + 48;
      if (bytes > PAGE_BYTES) break;
      kept.push(line);
    }
    if (query.newest) kept.reverse();
    return { lines: kept, complete: kept.length === lines.length };
  }
}

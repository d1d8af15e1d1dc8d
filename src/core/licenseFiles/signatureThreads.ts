import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { inThreadVerifier, type SignatureCheck, type SignatureVerifier } from '../license';

/**
 * A cold license load spread over the cores: helper threads and this one take chunks of the
 * checks from a shared counter until none are left, so this thread starts at once and a helper
 * joins when it has booted. The load stays synchronous (this thread waits for the helpers'
 * last chunks with Atomics.wait), as it was when every check ran here.
 */

/** Below this many checks a helper costs more than it saves (booting one takes ~20-50 ms, a check ~0.1 ms). */
export const MIN_CHECKS_FOR_THREADS = 500;
/** Checks per claim: small, so that the threads finish close together. */
const CHUNK = 64;
const NEXT_CHUNK = 0;
const DONE_CHUNKS = 1;

interface SharedChecks {
  /** every check's data then signature, back to back */
  bytes: Uint8Array;
  /** check i: data at [offsets[2i], offsets[2i+1]), signature up to offsets[2i+2] */
  offsets: Int32Array;
  keyDers: Uint8Array[];
  keyIndex: Int32Array;
  control: Int32Array;
  chunkDone: Int32Array;
  results: Uint8Array;
  chunk: number;
}

// Plain JavaScript run with `eval`, so every bundle (CLI, headless host, Electron, tests) has it
// without a file of its own; it does what verifyChunk below does, from the shared buffers.
const HELPER_SOURCE = `
const { workerData: w } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const keys = [];
const keyOf = (k) => (keys[k] ??= createPublicKey({ key: Buffer.from(w.keyDers[k]), format: 'der', type: 'spki' }));
const bytes = Buffer.from(w.bytes.buffer, w.bytes.byteOffset, w.bytes.byteLength);
const count = w.results.length;
for (let c = Atomics.add(w.control, ${NEXT_CHUNK}, 1); c * w.chunk < count; c = Atomics.add(w.control, ${NEXT_CHUNK}, 1)) {
  for (let i = c * w.chunk; i < Math.min(count, (c + 1) * w.chunk); i += 1) {
    const data = bytes.subarray(w.offsets[2 * i], w.offsets[2 * i + 1]);
    const signature = bytes.subarray(w.offsets[2 * i + 1], w.offsets[2 * i + 2]);
    w.results[i] = verify(null, data, keyOf(w.keyIndex[i]), signature) ? 1 : 0;
  }
  Atomics.store(w.chunkDone, c, 1);
  Atomics.add(w.control, ${DONE_CHUNKS}, 1);
  Atomics.notify(w.control, ${DONE_CHUNKS});
}
`;

function shared(checks: readonly SignatureCheck[]): SharedChecks {
  const offsets = new Int32Array(new SharedArrayBuffer(4 * (2 * checks.length + 1)));
  let size = 0;
  checks.forEach((c, i) => {
    offsets[2 * i] = size;
    offsets[2 * i + 1] = size += c.data.length;
    size += c.signature.length;
  });
  offsets[2 * checks.length] = size;
  const bytes = new Uint8Array(new SharedArrayBuffer(size));
  const keyDers: Uint8Array[] = [];
  const keyAt = new Map<string, number>();
  const keyIndex = new Int32Array(new SharedArrayBuffer(4 * checks.length));
  checks.forEach((c, i) => {
    bytes.set(c.data, offsets[2 * i]);
    bytes.set(c.signature, offsets[2 * i + 1]);
    const id = c.publicKey.der.toString('base64');
    if (!keyAt.has(id)) keyAt.set(id, keyDers.push(new Uint8Array(c.publicKey.der)) - 1);
    keyIndex[i] = keyAt.get(id)!;
  });
  const chunks = Math.ceil(checks.length / CHUNK);
  return {
    bytes,
    offsets,
    keyDers,
    keyIndex,
    control: new Int32Array(new SharedArrayBuffer(8)),
    chunkDone: new Int32Array(new SharedArrayBuffer(4 * chunks)),
    results: new Uint8Array(new SharedArrayBuffer(checks.length)),
    chunk: CHUNK,
  };
}

function verifyChunk(checks: readonly SignatureCheck[], w: SharedChecks, c: number): void {
  const from = c * CHUNK;
  inThreadVerifier.verify(checks.slice(from, from + CHUNK)).forEach((ok, i) => (w.results[from + i] = ok ? 1 : 0));
  Atomics.store(w.chunkDone, c, 1);
  Atomics.add(w.control, DONE_CHUNKS, 1);
}

/** Atomics.wait, where this thread may block; where it may not (a browser-like main thread), as if the helpers stalled. */
function waitForChange(control: Int32Array, done: number, timeoutMs: number): 'ok' | 'not-equal' | 'timed-out' {
  try {
    return Atomics.wait(control, DONE_CHUNKS, done, timeoutMs);
  } catch {
    return 'timed-out';
  }
}

export interface ThreadOptions {
  /** Threads beside this one; by default one per other core. None (one core), or few checks: this thread alone. */
  helpers?: number;
  /** A helper that finished nothing for this long (stalled, or died) is done without: its chunks are verified here. */
  stallMs?: number;
}

export function threadedVerifier({ helpers = availableParallelism() - 1, stallMs = 2_000 }: ThreadOptions = {}): SignatureVerifier {
  return {
    verify(checks) {
      if (helpers < 1 || checks.length < MIN_CHECKS_FOR_THREADS) return inThreadVerifier.verify(checks);
      const w = shared(checks);
      const chunks = w.chunkDone.length;
      const workers = Array.from({ length: Math.min(helpers, chunks - 1) }, () => {
        const worker = new Worker(HELPER_SOURCE, { eval: true, workerData: w });
        // a helper that fails stalls, and its chunks are verified here (below)
        worker.on('error', () => {});
        worker.unref();
        return worker;
      });
      for (let c = Atomics.add(w.control, NEXT_CHUNK, 1); c < chunks; c = Atomics.add(w.control, NEXT_CHUNK, 1)) verifyChunk(checks, w, c);
      for (let done = Atomics.load(w.control, DONE_CHUNKS); done < chunks; done = Atomics.load(w.control, DONE_CHUNKS)) {
        if (waitForChange(w.control, done, stallMs) === 'timed-out' && Atomics.load(w.control, DONE_CHUNKS) === done) {
          for (let c = 0; c < chunks; c += 1) if (Atomics.load(w.chunkDone, c) === 0) verifyChunk(checks, w, c);
          break;
        }
      }
      for (const worker of workers) void worker.terminate();
      return Array.from(w.results, (r) => r === 1);
    },
  };
}

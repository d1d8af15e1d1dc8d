import { randomBytes } from 'node:crypto';

/**
 * Resume tokens: 18 random bytes (144 bits) each, cut from a pooled buffer, so a checkout does
 * not cost its own call into the system's random source (node's randomUUID pools the same way).
 */
export class ResumeTokens {
  private static readonly SIZE = 18;
  private pool = Buffer.alloc(0);
  private offset = 0;

  next(): string {
    if (this.offset + ResumeTokens.SIZE > this.pool.length) {
      this.pool = randomBytes(ResumeTokens.SIZE * 256);
      this.offset = 0;
    }
    this.offset += ResumeTokens.SIZE;
    return this.pool.toString('base64url', this.offset - ResumeTokens.SIZE, this.offset);
  }
}

import { denial, type DenialCode } from '../protocol';

/**
 * The report log keeps a denial as FlexLM's text, `Sentence; detail. (major,minor)`. Metrics
 * label denials by code instead: the text carries user and host names (unbounded label values),
 * the code is one of a dozen. Each code's `(major,minor)` is unique, so the suffix names it.
 */

// the record makes the compiler list every code: a new one cannot be forgotten here
const everyCode: Record<DenialCode, true> = {
  MAX_USERS: true,
  NO_SUCH_FEATURE: true,
  VERSION_TOO_HIGH: true,
  EXPIRED: true,
  NOT_STARTED: true,
  EXCLUDED: true,
  NOT_INCLUDED: true,
  NOT_AUTHORIZED_USER: true,
  OPTIONS_MAX: true,
  BAD_SIGNATURE: true,
  WRONG_HOSTID: true,
  BAD_REQUEST: true,
  SERVER_DOWN: true,
  NOT_MASTER: true,
  DISK_FULL: true,
};

const SUFFIX = /\((-?\d+,-?\d+)\)$/;

const codeBySuffix = new Map(
  (Object.keys(everyCode) as DenialCode[]).map((code) => [SUFFIX.exec(denial(code).reason)![1]!, code] as const),
);

export type DenialLabel = DenialCode | 'OTHER';

/** Every label value `triad_denials_total` can carry: all are shown from 0, so a first denial is an increase. */
export const denialLabels: readonly DenialLabel[] = [...(Object.keys(everyCode) as DenialCode[]), 'OTHER'];

export function denialCodeOf(reason: string | null): DenialLabel {
  const suffix = reason === null ? undefined : SUFFIX.exec(reason.trim())?.[1];
  return (suffix !== undefined ? codeBySuffix.get(suffix) : undefined) ?? 'OTHER';
}

import type { Attribute, SignedLine } from './model';

/**
 * Reading the attributes most code asks about. Keywords are matched exactly: uppercase keywords
 * are the publisher's (signed), lowercase ones the end user's (reference 1.1).
 */
export function findAttribute(line: { attributes: Attribute[] }, key: string): Attribute | undefined {
  return line.attributes.find((a) => a.key === key);
}

/** The value of `KEY=value`, '' for a bare `KEY`, undefined when absent. */
export function attributeValue(line: { attributes: Attribute[] }, key: string): string | undefined {
  const found = findAttribute(line, key);
  return found ? (found.value ?? '') : undefined;
}

export function hasAttribute(line: { attributes: Attribute[] }, key: string): boolean {
  return findAttribute(line, key) !== undefined;
}

export interface CommonAttributes {
  vendorString: string | null;
  hostId: string | null;
  start: string | null;
  issued: string | null;
  notice: string | null;
  issuer: string | null;
  /** `USER_BASED` / `HOST_BASED`: null when absent, true when bare, else the number written. */
  userBased: number | true | null;
  hostBased: number | true | null;
  dupGroup: string | null;
  /** `SUPERSEDE` bare => [] (supersedes lines of the same name); with a list => those names. */
  supersede: string[] | null;
  tsOk: boolean;
  floatOk: boolean;
  borrowHours: number | null;
  lingerSeconds: number | null;
  overdraft: number | null;
  /** `COMPONENTS` of a PACKAGE line, `f[:ver[:n]]` entries as written. */
  components: string[] | null;
}

function numberOrTrue(line: SignedLine, key: string): number | true | null {
  const value = attributeValue(line, key);
  if (value === undefined) return null;
  if (value === '') return true;
  const n = Number(value);
  return Number.isFinite(n) ? n : true;
}

function numberOrNull(line: SignedLine, key: string): number | null {
  const value = attributeValue(line, key);
  if (value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

function list(value: string | undefined): string[] | null {
  return value === undefined ? null : value.split(/\s+/).filter(Boolean);
}

export function commonAttributes(line: SignedLine): CommonAttributes {
  const text = (key: string) => attributeValue(line, key) ?? null;
  const borrow = attributeValue(line, 'BORROW');
  return {
    vendorString: text('VENDOR_STRING'),
    hostId: text('HOSTID'),
    start: text('START'),
    issued: text('ISSUED'),
    notice: text('NOTICE'),
    issuer: text('ISSUER'),
    userBased: numberOrTrue(line, 'USER_BASED'),
    hostBased: numberOrTrue(line, 'HOST_BASED'),
    dupGroup: text('DUP_GROUP'),
    supersede: list(attributeValue(line, 'SUPERSEDE')),
    tsOk: hasAttribute(line, 'TS_OK'),
    floatOk: hasAttribute(line, 'FLOAT_OK'),
    // FlexNet's default borrow period is 168 hours when BORROW is bare.
    borrowHours: borrow === undefined ? null : borrow === '' ? 168 : numberOrNull(line, 'BORROW'),
    lingerSeconds: numberOrNull(line, 'LINGER'),
    overdraft: numberOrNull(line, 'OVERDRAFT'),
    components: list(attributeValue(line, 'COMPONENTS')),
  };
}

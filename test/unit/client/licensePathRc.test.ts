import { describe, expect, it } from 'vitest';
import { readRcVariable, writeRcVariable } from '../../../src/core/client/licensePathRc';

describe('~/.flexlmrc edits', () => {
  it('adds LM_LICENSE_FILE to an empty file and reads it back', () => {
    const text = writeRcVariable('', 'LM_LICENSE_FILE', '27000@a:27000@b');
    expect(text).toBe('LM_LICENSE_FILE=27000@a:27000@b\n');
    expect(readRcVariable(text, 'LM_LICENSE_FILE')).toBe('27000@a:27000@b');
  });

  it('replaces the existing line in place and keeps the others', () => {
    const before = 'IBMRATL_LICENSE_FILE=@old\nLM_LICENSE_FILE=1@x\nLM_BORROW=abc\n';
    expect(writeRcVariable(before, 'LM_LICENSE_FILE', '2@y')).toBe('IBMRATL_LICENSE_FILE=@old\nLM_LICENSE_FILE=2@y\nLM_BORROW=abc\n');
    expect(readRcVariable(before, 'IBMRATL_LICENSE_FILE')).toBe('@old');
    expect(readRcVariable(before, 'NOPE')).toBeNull();
  });
});

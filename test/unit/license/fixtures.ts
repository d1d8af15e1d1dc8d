import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../../fixtures/license/', import.meta.url));

export function fixture(name: string): string {
  return readFileSync(dir + name, 'utf8');
}

export const fixturePath = (name: string): string => dir + name;

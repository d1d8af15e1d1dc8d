import { describe, expect, it } from 'vitest';
import { serviceWindowUrl } from '../../../src/main/serviceAttach';

describe('desktop window attached to the Windows service', () => {
  const url = 'http://127.0.0.1:8090/';
  const token = 'f'.repeat(64);

  it("signs in with the service's token when this user can read it (the system profile's data folder)", () => {
    const asked: string[] = [];
    const read = (file: string) => {
      asked.push(file);
      return `${token}\n`;
    };
    expect(serviceWindowUrl(url, { SystemRoot: 'D:\\WINDOWS' }, read)).toBe(`${url}login#token=${token}`);
    expect(asked).toEqual(['D:\\WINDOWS\\System32\\config\\systemprofile\\AppData\\Local\\Triad\\admin.token']);
  });

  it('opens the sign-in page when the token cannot be read or is not a token', () => {
    const denied = () => {
      throw Object.assign(new Error('EPERM'), { code: 'EPERM' });
    };
    expect(serviceWindowUrl(url, {}, denied)).toBe(url);
    expect(serviceWindowUrl(url, {}, () => 'garbage')).toBe(url);
  });
});

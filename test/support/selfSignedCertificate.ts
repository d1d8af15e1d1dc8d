import { execFileSync } from 'node:child_process';

/**
 * A self-signed certificate for the address `ip`, as an administrator without a CA makes one
 * (openssl req -x509, RSA 2048, valid two days): `<name>.key` and `<name>.crt` in `dir`. Returns
 * its SHA-256 fingerprint line as openssl prints it (`sha256 Fingerprint=AB:CD:…`).
 */
export function selfSignedCertificate(dir: string, name: string, commonName: string, ip: string): string {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const subject = ['-subj', `/CN=${commonName}`, '-addext', `subjectAltName=IP:${ip}`];
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.crt`, '-days', '2', ...subject);
  return openssl('x509', '-noout', '-fingerprint', '-sha256', '-in', `${name}.crt`).trim();
}

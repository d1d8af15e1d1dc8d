import net from 'node:net';
import tls from 'node:tls';
import { displayFingerprint, normaliseFingerprint } from '../protocol/tlsPin';
import type { ServerAddress } from './connection';

/**
 * What a client says when TLS and plaintext meet (issue 20): OpenSSL's own text
 * ("ssl3_get_record:wrong version number" and a source file) tells a user nothing.
 */

const where = (address: ServerAddress) => `${address.port}@${address.host}`;

/** A failed TLS connection, in words: plaintext server, untrusted certificate, or the OpenSSL reason alone. */
export function tlsFailureText(error: NodeJS.ErrnoException, address: ServerAddress): string {
  const code = error.code ?? '';
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG' || code === 'ECONNRESET') {
    return `${where(address)} does not speak TLS (its server runs without --tls-cert): drop --tls-fingerprint / --tls-ca (and TRIAD_TLS_FINGERPRINT / ` +
      `TRIAD_TLS_CA) for it`;
  }
  if (/CERT|SIGNATURE|ISSUER|SELF_SIGNED|HOSTNAME|IP_ADDRESS/.test(code)) {
    return `the certificate of ${where(address)} is not trusted by the CA given (${code}): give the CA that signed it with --tls-ca, or pin it with ` +
      `--tls-fingerprint`;
  }
  // OpenSSL's reason without its error-stack prefix and source location
  const reason = /:([a-z0-9 _-]+):[^:]*\.c:\d+/i.exec(error.message)?.[1] ?? error.message.split('\n')[0];
  return `TLS with ${where(address)} failed: ${reason}${code ? ` (${code})` : ''}`;
}

/**
 * A server that closed a plaintext connection without a word may speak TLS: a TLS handshake
 * (nothing verified, nothing sent after it) tells, and gives its certificate's fingerprint for
 * the user to check against the server's file. null: it does not.
 */
export function tlsFingerprintOf(address: ServerAddress, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve) => {
    const socket = tls.connect({
      host: address.host,
      port: address.port,
      rejectUnauthorized: false,
      servername: net.isIP(address.host) ? undefined : address.host,
    });
    const settle = (fingerprint: string | null) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(fingerprint);
    };
    const timer = setTimeout(() => settle(null), timeoutMs);
    socket.once('secureConnect', () => {
      const hex = normaliseFingerprint(socket.getPeerCertificate().fingerprint256 ?? '');
      settle(hex === null ? null : displayFingerprint(hex));
    });
    socket.once('error', () => settle(null));
  });
}

/** The message for a plaintext client whose server speaks TLS. */
export function speaksTlsText(address: ServerAddress, fingerprint: string): string {
  return (
    `${where(address)} speaks TLS: pass --tls-ca with the CA that signed its certificate, or pin it with --tls-fingerprint ` +
    `(or set TRIAD_TLS_CA / TRIAD_TLS_FINGERPRINT). Its certificate's SHA-256 fingerprint is ${fingerprint}; ` +
    'check it on the server (`openssl x509 -noout -fingerprint -sha256 -in server.crt`) before pinning it'
  );
}

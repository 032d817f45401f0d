import { createSign, type KeyObject } from 'node:crypto';

/** base64url of a Buffer, a string, or (anything else) its JSON. */
export function base64url(value: string | Buffer | object): string {
  const buffer = Buffer.isBuffer(value)
    ? value
    : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));
  return buffer.toString('base64url');
}

/** The parts of a JWT, unverified: for reading claims and building forgeries in tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function decodeJwt(token: string): { header: any; payload: any; signature: string } {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
    signature,
  };
}

/** An RS256 JWT signed with `privateKey`, with any header and claims a test needs. */
export function signRs256(header: object, payload: object, privateKey: string | KeyObject): string {
  const input = `${base64url({ alg: 'RS256', typ: 'JWT', ...header })}.${base64url(payload)}`;
  return `${input}.${base64url(createSign('RSA-SHA256').update(input).sign(privateKey))}`;
}

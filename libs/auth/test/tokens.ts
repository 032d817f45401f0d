import { type KeyObject, createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { KeyResolver } from '../src';

/** An RSA key pair with the PEM of its public half, as identity publishes it. */
export interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicPem: string;
}

export function generateKey(kid: string): TestKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    kid,
    privateKey,
    publicKey,
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs `header.payload` exactly as given, so that tests can forge any header they like. */
export function signRs256(header: object, payload: object, privateKey: KeyObject): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(privateKey).toString('base64url')}`;
}

export function signHs256(header: object, payload: object, secret: string): string {
  const input = `${encode(header)}.${encode(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

export function unsigned(header: object, payload: object): string {
  return `${encode(header)}.${encode(payload)}.`;
}

/** Replaces the payload of a signed token, keeping its header and signature. */
export function withPayload(token: string, payload: object): string {
  const [header, , signature] = token.split('.');
  return `${header}.${encode(payload)}.${signature}`;
}

/** Flips one byte in the middle of the signature (the last base64url character may only carry padding bits). */
export function withFlippedSignatureByte(token: string): string {
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature!, 'base64url');
  bytes[bytes.length >> 1] ^= 0x01;
  return `${header}.${payload}.${bytes.toString('base64url')}`;
}

/** Public keys by kid; an unknown kid is refused, as identity's key store does. */
export class MapKeyResolver extends KeyResolver {
  readonly asked: (string | undefined)[] = [];

  constructor(private readonly keys: Map<string, string>) {
    super();
  }

  async publicKeyFor(kid: string | undefined): Promise<string> {
    this.asked.push(kid);
    const pem = kid === undefined ? undefined : this.keys.get(kid);
    if (!pem) throw new Error(`unknown signing key ${String(kid)}`);
    return pem;
  }
}

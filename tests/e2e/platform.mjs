// What a centre's IT team does once per desk for the national API platform, done here against
// provider-sim's simulated platform: a key pair made, its public half registered under an API
// key, and both halves for the desk's keyring.
import { generateKeyPairSync, randomUUID } from 'node:crypto';

/** Registers a new key with the platform whose token endpoint is `tokenUrl`, as `keyId`. */
export async function registerPlatformKey(tokenUrl, keyId, prefix = 'e2e') {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const apiKey = `${prefix}-${randomUUID()}`;
  const res = await fetch(`${new URL(tokenUrl).origin}/_admin/platform-clients`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ api_key: apiKey, key_id: keyId, public_key_pem: publicKey }),
  });
  if (res.status !== 200) throw new Error(`the platform did not register the key: ${res.status} ${await res.text()}`);
  return { apiKey, privateKey };
}

/** `[section] key = "value"` from a bookdesk.toml's text (`null` for the top, before any section). */
export function tomlValue(toml, section, key) {
  const body =
    section === null
      ? toml.split(/^\[/m)[0]
      : (toml.split(new RegExp(`^\\[${section}\\]\\s*$`, 'm'))[1]?.split(/^\[/m)[0] ?? '');
  return new RegExp(`^${key}\\s*=\\s*"([^"]*)"`, 'm').exec(body)?.[1];
}

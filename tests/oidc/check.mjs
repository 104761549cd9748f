// Tests of the test provider itself: node --test tests/oidc/check.mjs
//
// Each provider runs as its own process, started as the desk's tests start it. Sign-ins go the
// way the desk's will: a native client's authorisation request with PKCE (S256), state and nonce,
// a loopback listener of its own on 127.0.0.1 with a random port, browse.mjs as the browser, and
// the code exchanged at the token endpoint. ID tokens are checked with jose against the JWKS the
// provider publishes.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';

const here = path.dirname(fileURLToPath(import.meta.url));
const { users } = JSON.parse(readFileSync(path.join(here, 'users.json'), 'utf8'));
const DESK_SCOPE = 'openid profile email nationalrbacaccess';

async function startProvider(...args) {
  const child = spawn(process.execPath, [path.join(here, 'provider.mjs'), '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  const issuer = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no READY line within 30 s:\n${stderr}`)), 30_000);
    child.stdout.setEncoding('utf8').on('data', (chunk) => {
      stdout += chunk;
      const ready = /^OIDC_PROVIDER_READY (\S+)$/m.exec(stdout);
      if (ready) {
        clearTimeout(timer);
        resolve(ready[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the provider exited (${code}) before it was ready:\n${stderr}`));
    });
  });
  const discovery = await (await fetch(`${issuer}/.well-known/openid-configuration`)).json();
  return {
    issuer,
    discovery,
    jwks: createRemoteJWKSet(new URL(discovery.jwks_uri)),
    stdout: () => stdout,
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return [child.exitCode, child.signalCode];
      child.kill('SIGTERM');
      return once(child, 'exit');
    },
  };
}

// The desk's side of RFC 8252: a listener on 127.0.0.1 with a port the system picks.
async function loopback() {
  const hits = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    hits.push(url);
    if (url.pathname === '/callback') res.writeHead(200, { 'Content-Type': 'text/plain' }).end('Signed in.\n');
    else res.writeHead(404).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return {
    port,
    redirectUri: `http://127.0.0.1:${port}/callback`,
    hits,
    close: () => new Promise((resolve) => { server.close(resolve); server.closeAllConnections(); }),
  };
}

function browse(url, login, password) {
  const child = spawn(process.execPath, [path.join(here, 'browse.mjs'), url], {
    env: { ...process.env, OIDC_TEST_USER: login, OIDC_TEST_PASSWORD: password },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const base64url = (bytes) => Buffer.from(bytes).toString('base64url');

function authorizeUrl(provider, params) {
  const url = new URL(provider.discovery.authorization_endpoint);
  url.search = new URLSearchParams(params).toString();
  return url.href;
}

// One sign-in as a native client would do it, up to the code arriving at the loopback listener.
async function signIn(provider, { clientId = 'booking-desk', login, password, scope = DESK_SCOPE }) {
  const listener = await loopback();
  const verifier = base64url(randomBytes(32));
  const state = base64url(randomBytes(16));
  const nonce = base64url(randomBytes(16));
  const url = authorizeUrl(provider, {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: listener.redirectUri,
    scope,
    state,
    nonce,
    code_challenge: base64url(createHash('sha256').update(verifier).digest()),
    code_challenge_method: 'S256',
  });
  const browser = await browse(url, login, password);
  await listener.close();
  const callback = listener.hits.find((hit) => hit.pathname === '/callback');
  return { clientId, listener, verifier, state, nonce, browser, callback };
}

async function redeem(provider, flow, { verifier = flow.verifier } = {}) {
  const response = await fetch(provider.discovery.token_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: flow.callback.searchParams.get('code'),
      redirect_uri: flow.listener.redirectUri,
      client_id: flow.clientId,
      code_verifier: verifier,
    }),
  });
  return { status: response.status, body: await response.json() };
}

// A sign-in that must succeed, and its tokens.
async function tokensFor(provider, options) {
  const flow = await signIn(provider, options);
  assert.equal(flow.browser.code, 0, `browse.mjs failed:\n${flow.browser.stderr}`);
  assert.ok(flow.callback, 'the loopback listener got no callback');
  assert.equal(flow.callback.searchParams.get('state'), flow.state);
  const tokens = await redeem(provider, flow);
  assert.equal(tokens.status, 200, JSON.stringify(tokens.body));
  return { flow, tokens: tokens.body };
}

describe('the provider as the desk sees it', () => {
  let provider;
  before(async () => { provider = await startProvider(); });
  after(async () => { await provider?.stop(); });

  test('discovery names the CIS2 scopes and claims, S256 only, code only', () => {
    const d = provider.discovery;
    assert.equal(d.issuer, provider.issuer);
    assert.match(provider.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    for (const scope of ['openid', 'profile', 'email', 'nationalrbacaccess']) assert.ok(d.scopes_supported.includes(scope), scope);
    for (const claim of ['nhsid_useruid', 'nhsid_nrbac_roles', 'idassurancelevel', 'acr', 'auth_time']) {
      assert.ok(d.claims_supported.includes(claim), claim);
    }
    assert.deepEqual(d.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(d.response_types_supported, ['code']);
    assert.ok(d.id_token_signing_alg_values_supported.includes('RS256'));
  });

  test('a full code flow with PKCE and nonce gives an ID token with the CIS2 claims of "multi"', async () => {
    const expected = users.multi.claims;
    const { flow, tokens } = await tokensFor(provider, { login: 'multi', password: users.multi.password });
    assert.match(flow.browser.stderr, /answered 200/);
    // RFC 9207: the authorisation response names its issuer.
    assert.equal(flow.callback.searchParams.get('iss'), provider.issuer);
    assert.equal(tokens.token_type, 'Bearer');

    const { payload, protectedHeader } = await jwtVerify(tokens.id_token, provider.jwks, {
      issuer: provider.issuer,
      audience: 'booking-desk',
      algorithms: ['RS256'],
    });
    assert.equal(protectedHeader.alg, 'RS256');
    assert.equal(payload.nonce, flow.nonce);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(payload.exp > now, 'not expired');
    assert.equal(payload.exp - payload.iat, 3600, 'default ID token lifetime');
    assert.ok(Number.isInteger(payload.auth_time) && payload.auth_time <= payload.iat + 1, 'auth_time');

    assert.equal(payload.sub, expected.nhsid_useruid);
    assert.match(payload.nhsid_useruid, /^\d{12}$/);
    assert.equal(payload.nhsid_useruid, expected.nhsid_useruid);
    assert.equal(payload.name, expected.name);
    assert.equal(payload.given_name, expected.given_name);
    assert.equal(payload.family_name, expected.family_name);
    assert.equal(payload.idassurancelevel, '3');
    assert.equal(payload.acr, 'AAL3_ANY');
    assert.deepEqual(payload.amr, ['N3_SMARTCARD']);

    const roles = payload.nhsid_nrbac_roles;
    assert.deepEqual(roles, expected.nhsid_nrbac_roles);
    assert.equal(roles.length, 3);
    // Two roles at one organisation (the desk offers a choice), one at another.
    assert.equal(roles[0].org_code, roles[1].org_code);
    assert.notEqual(roles[0].org_code, roles[2].org_code);
    for (const role of roles) {
      assert.deepEqual(Object.keys(role).sort(),
        ['activities', 'activity_codes', 'org_code', 'person_orgid', 'person_roleid', 'role_code', 'role_name']);
      assert.match(role.person_roleid, /^\d{12}$/);
      assert.match(role.person_orgid, /^\d{12}$/);
      assert.match(role.role_code, /^S\d{4}:G\d{4}:R\d{4}$/);
      assert.match(role.role_name, /^"[^"]+":"[^"]+":"[^"]+"$/);
    }
    assert.deepEqual(roles.map((role) => role.role_code.split(':')[2]), ['R8008', 'R8000', 'R8000']);

    // The same claims from userinfo, where CIS2 itself serves them.
    const info = await (await fetch(provider.discovery.userinfo_endpoint, {
      headers: { Authorization: `Bearer ${tokens.access_token}` },
    })).json();
    assert.equal(info.sub, expected.nhsid_useruid);
    assert.deepEqual(info.nhsid_nrbac_roles, expected.nhsid_nrbac_roles);
  });

  test('the loopback redirect may use any port, and nothing else may differ', async () => {
    // The port of a successful flow is the system's choice, never the registered (absent) one;
    // the flow above and below would fail otherwise. Here: other hosts and paths are refused.
    const port = 40000 + Math.floor(Math.random() * 20000);
    for (const redirect of [`http://localhost:${port}/callback`, `http://127.0.0.1:${port}/elsewhere`, `https://127.0.0.1:${port}/callback`]) {
      const response = await fetch(authorizeUrl(provider, {
        response_type: 'code',
        client_id: 'booking-desk',
        redirect_uri: redirect,
        scope: DESK_SCOPE,
        code_challenge: base64url(randomBytes(32)),
        code_challenge_method: 'S256',
      }), { redirect: 'manual' });
      assert.equal(response.status, 400, redirect);
      assert.match(await response.text(), /redirect_uri/, redirect);
    }
    const a = await tokensFor(provider, { login: 'handler', password: users.handler.password });
    const b = await tokensFor(provider, { login: 'handler', password: users.handler.password });
    assert.notEqual(a.flow.listener.port, b.flow.listener.port);
  });

  test('a wrong password is refused and nothing reaches the desk', async () => {
    const flow = await signIn(provider, { login: 'handler', password: 'not-the-password' });
    assert.notEqual(flow.browser.code, 0);
    assert.match(flow.browser.stderr, /sign-in refused: The user name or password is wrong/);
    assert.equal(flow.listener.hits.length, 0);

    const unknown = await signIn(provider, { login: 'nobody', password: 'anything' });
    assert.notEqual(unknown.browser.code, 0);
    assert.match(unknown.browser.stderr, /sign-in refused/);
  });

  test('PKCE is required and checked', async () => {
    const listener = await loopback();
    const response = await fetch(authorizeUrl(provider, {
      response_type: 'code', client_id: 'booking-desk', redirect_uri: listener.redirectUri, scope: DESK_SCOPE,
    }), { redirect: 'manual' });
    await listener.close();
    assert.equal(response.status, 303);
    const location = new URL(response.headers.get('location'));
    assert.equal(location.searchParams.get('error'), 'invalid_request');
    assert.match(location.searchParams.get('error_description'), /PKCE/);

    const flow = await signIn(provider, { login: 'clinician', password: users.clinician.password });
    assert.equal(flow.browser.code, 0, flow.browser.stderr);
    const wrong = await redeem(provider, flow, { verifier: base64url(randomBytes(32)) });
    assert.equal(wrong.status, 400);
    assert.equal(wrong.body.error, 'invalid_grant');
  });

  test('other-desk signs in through the consent page, and its ID token is not for booking-desk', async () => {
    const consents = () => (provider.stderr().match(/POST \/interaction\/[\w-]+\/consent 303/g) ?? []).length;
    const before = consents();
    await tokensFor(provider, { login: 'handler', password: users.handler.password });
    assert.equal(consents(), before, 'booking-desk is first-party: no consent page');
    const { tokens } = await tokensFor(provider, {
      clientId: 'other-desk', login: 'handler', password: users.handler.password,
    });
    assert.equal(consents(), before + 1, 'other-desk went through the consent page');
    const { payload } = await jwtVerify(tokens.id_token, provider.jwks, { issuer: provider.issuer, audience: 'other-desk' });
    assert.equal(payload.aud, 'other-desk');
    await assert.rejects(
      jwtVerify(tokens.id_token, provider.jwks, { issuer: provider.issuer, audience: 'booking-desk' }),
      (error) => error.code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' && error.claim === 'aud',
    );
  });

  test('every user in users.json signs in and gets their own claims', async () => {
    const seen = new Set();
    for (const [login, user] of Object.entries(users)) {
      const { tokens } = await tokensFor(provider, { login, password: user.password });
      const payload = decodeJwt(tokens.id_token);
      assert.equal(payload.nhsid_useruid, user.claims.nhsid_useruid, login);
      assert.deepEqual(payload.nhsid_nrbac_roles, user.claims.nhsid_nrbac_roles, login);
      for (const role of payload.nhsid_nrbac_roles) {
        assert.ok(!seen.has(role.person_roleid), `${login}: person_roleid ${role.person_roleid} reused`);
        seen.add(role.person_roleid);
      }
    }
  });

  test('stdout is the READY line alone, and SIGTERM stops it cleanly', async () => {
    assert.equal(provider.stdout(), `OIDC_PROVIDER_READY ${provider.issuer}\n`);
    assert.deepEqual(await provider.stop(), [0, null]);
  });
});

describe('--unpublished-signing-key', () => {
  let provider;
  before(async () => { provider = await startProvider('--unpublished-signing-key', '--id-token-ttl', '120'); });
  after(async () => { await provider?.stop(); });

  test('ID tokens are signed with a key the JWKS does not publish', async () => {
    const { tokens } = await tokensFor(provider, { login: 'handler', password: users.handler.password });
    const { kid, alg } = decodeProtectedHeader(tokens.id_token);
    assert.equal(alg, 'RS256');
    const announced = /signed with the unpublished key (\S+)/.exec(provider.stderr());
    assert.ok(announced, 'the provider names its unpublished key on stderr');
    assert.equal(kid, announced[1]);

    const published = await (await fetch(provider.discovery.jwks_uri)).json();
    assert.ok(published.keys.length >= 1);
    assert.ok(!published.keys.some((key) => key.kid === kid), `kid ${kid} is in the JWKS`);
    await assert.rejects(
      jwtVerify(tokens.id_token, provider.jwks, { issuer: provider.issuer, audience: 'booking-desk' }),
      (error) => error.code === 'ERR_JWKS_NO_MATCHING_KEY',
    );
    // Otherwise a well-formed token: only its signature is wrong for this issuer.
    const payload = decodeJwt(tokens.id_token);
    assert.equal(payload.iss, provider.issuer);
    assert.equal(payload.aud, 'booking-desk');
    assert.equal(payload.exp - payload.iat, 120, '--id-token-ttl');
  });
});

describe('--issuer with a path', () => {
  let provider;
  before(async () => { provider = await startProvider('--issuer', 'http://127.0.0.1:{port}/openam/oauth2/realms/Healthcare'); });
  after(async () => { await provider?.stop(); });

  test('is served under that path, sign-in included', async () => {
    assert.match(provider.issuer, /^http:\/\/127\.0\.0\.1:\d+\/openam\/oauth2\/realms\/Healthcare$/);
    assert.equal(provider.discovery.issuer, provider.issuer);
    assert.ok(provider.discovery.authorization_endpoint.startsWith(`${provider.issuer}/`));
    const { tokens } = await tokensFor(provider, { login: 'clinician', password: users.clinician.password });
    const { payload } = await jwtVerify(tokens.id_token, provider.jwks, { issuer: provider.issuer, audience: 'booking-desk' });
    assert.equal(payload.nhsid_useruid, users.clinician.claims.nhsid_useruid);
  });
});

describe('--strict-cis2-scopes', () => {
  let provider;
  before(async () => { provider = await startProvider('--strict-cis2-scopes'); });
  after(async () => { await provider?.stop(); });

  test('releases nhsid_useruid and idassurancelevel only with the nhsperson scope', async () => {
    const without = await tokensFor(provider, { login: 'handler', password: users.handler.password });
    const bare = decodeJwt(without.tokens.id_token);
    assert.equal(bare.nhsid_useruid, undefined);
    assert.equal(bare.idassurancelevel, undefined);
    assert.ok(Array.isArray(bare.nhsid_nrbac_roles));

    const withPerson = await tokensFor(provider, {
      login: 'handler', password: users.handler.password, scope: `${DESK_SCOPE} nhsperson`,
    });
    const full = decodeJwt(withPerson.tokens.id_token);
    assert.equal(full.nhsid_useruid, users.handler.claims.nhsid_useruid);
    assert.equal(full.idassurancelevel, '3');
  });
});

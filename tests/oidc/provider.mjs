#!/usr/bin/env node
// A real OpenID provider for Booking Desk's sign-in tests: panva's oidc-provider (OpenID
// Certified), configured with the clients, scopes and claims that NHS CIS2 Authentication uses.
// It is not a token issuer of ours: discovery, authorisation, PKCE, token, JWKS and userinfo are
// all oidc-provider's own; this file only supplies configuration, users and the sign-in pages.
//
//   node tests/oidc/provider.mjs [--port N] [--issuer URL] [--users FILE]
//        [--id-token-ttl SECONDS] [--unpublished-signing-key] [--strict-cis2-scopes]
//        [--now RFC3339]
//
//   --port 0 (the default) takes any free port; --issuer defaults to http://127.0.0.1:<port> and
//   may name "{port}" for the port bound, and a path (served under it); --users defaults to
//   users.json beside this file; --id-token-ttl defaults to 3600; --unpublished-signing-key signs
//   ID tokens with a key left out of the JWKS; --strict-cis2-scopes releases nhsid_useruid and
//   idassurancelevel only with the nhsperson scope, as CIS2 does. --now starts the provider's
//   clock at that instant (it then runs at the real rate), so it agrees with a desk the tests run
//   at a chosen instant.
//
// Prints exactly one line to stdout when listening, "OIDC_PROVIDER_READY <issuer>", and runs
// until SIGTERM or SIGINT. Everything else (oidc-provider's notices, a request log) goes to
// stderr. Shapes of the claims and their sources: tests/oidc/README.md.

import { createPrivateKey, randomBytes, createHash, timingSafeEqual } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { once } from 'node:events';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';
import { calculateJwkThumbprint, decodeProtectedHeader } from 'jose';

// stdout carries only the READY line, which callers wait for; oidc-provider prints its notices
// with console.info, so every console channel but the error one is sent to stderr.
console.log = console.info = console.debug = (...args) => console.error(...args);

const here = path.dirname(fileURLToPath(import.meta.url));

// CIS2's acr values (digital.nhs.uk, CIS2 Authentication "ACR values"); CIS2 answers with one of
// them in the ID token's acr claim.
const CIS2_ACR_VALUES = ['AAL3_ANY', 'AAL2_OR_AAL3_ANY', 'AAL2_ANY', 'AAL1_USERPASS'];

// Clients whose consent is implied, as CIS2 does for every relying party (its terms of use stand
// for consent): the desk itself. other-desk gets the consent page, so that path is exercised too.
const FIRST_PARTY_CLIENTS = new Set(['booking-desk']);

function fail(message) {
  console.error(`provider.mjs: ${message}`);
  process.exit(2);
}

function options() {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        port: { type: 'string', default: '0' },
        issuer: { type: 'string' },
        users: { type: 'string', default: path.join(here, 'users.json') },
        'id-token-ttl': { type: 'string', default: '3600' },
        'unpublished-signing-key': { type: 'boolean', default: false },
        'strict-cis2-scopes': { type: 'boolean', default: false },
        now: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    fail(error.message);
  }
  if (parsed.help) {
    console.error('usage: node provider.mjs [--port N] [--issuer URL] [--users FILE] '
      + '[--id-token-ttl SECONDS] [--unpublished-signing-key] [--strict-cis2-scopes]');
    process.exit(0);
  }
  const port = Number(parsed.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port ${parsed.port} is not a port number`);
  const idTokenTtl = Number(parsed['id-token-ttl']);
  if (!Number.isInteger(idTokenTtl) || idTokenTtl < 1) fail('--id-token-ttl wants a whole number of seconds, at least 1');
  if (parsed.now !== undefined && Number.isNaN(Date.parse(parsed.now))) fail(`--now ${parsed.now} is not an instant`);
  return {
    now: parsed.now,
    port,
    issuer: parsed.issuer,
    usersFile: path.resolve(parsed.users),
    idTokenTtl,
    unpublishedSigningKey: parsed['unpublished-signing-key'],
    strictCis2Scopes: parsed['strict-cis2-scopes'],
  };
}

// The users file names users by sign-in name; each has a password, the acr/amr of their sign-in
// and their CIS2 claims. The subject is the SDS user id, as in CIS2 (sub = uid = nhsid_useruid).
// Every time the provider reads (tokens' iat and exp, sessions, cookies) comes from Date, so
// shifting Date moves the provider's clock to the tests' instant as a whole.
function runClockFrom(instant) {
  const RealDate = Date;
  const offset = RealDate.parse(instant) - RealDate.now();
  class ShiftedDate extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...args);
    }

    static now() {
      return RealDate.now() + offset;
    }
  }
  globalThis.Date = ShiftedDate;
}

function loadUsers(file) {
  let doc;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`cannot read the users file ${file}: ${error.message}`);
  }
  const byLogin = new Map();
  const bySub = new Map();
  for (const [login, user] of Object.entries(doc.users ?? {})) {
    const sub = user?.claims?.nhsid_useruid;
    if (typeof user?.password !== 'string' || !/^\d{12}$/.test(sub ?? '')) {
      fail(`user "${login}" in ${file} needs a password and a 12-digit claims.nhsid_useruid`);
    }
    if (bySub.has(sub)) fail(`users "${bySub.get(sub).login}" and "${login}" share nhsid_useruid ${sub}`);
    const entry = { login, ...user };
    byLogin.set(login, entry);
    bySub.set(sub, entry);
  }
  if (!byLogin.size) fail(`no users in ${file}`);
  return { byLogin, bySub };
}

// Compares digests so that neither the length nor the content of the fixture password leaks
// through timing; cheap and keeps the habit.
function passwordMatches(given, expected) {
  const digest = (value) => createHash('sha256').update(String(value)).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

// A fresh RSA key each start, never written anywhere; the kid is its thumbprint, labelled so a
// reader of a token header can tell which key signed it.
async function newSigningKey(label) {
  // Made by the openssl command, not node's own key generation: node 20's RSA key-generation job
  // can deadlock when the garbage collector frees it, and the provider then never starts.
  const pem = execFileSync('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const privateKey = createPrivateKey(pem);
  const jwk = privateKey.export({ format: 'jwk' });
  const thumbprint = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid: `${label}-${thumbprint.slice(0, 16)}`, alg: 'RS256', use: 'sig' };
}

// A public native client (RFC 8252): no secret, PKCE S256, code flow, loopback redirect. Its one
// registered redirect has no port: oidc-provider lets a native client's loopback redirect use any
// port (RFC 8252 section 7.3), comparing the rest exactly. check.mjs proves it with random ports.
function nativeClient(clientId, clientName) {
  return {
    client_id: clientId,
    client_name: clientName,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    response_types: ['code'],
    grant_types: ['authorization_code'],
    redirect_uris: ['http://127.0.0.1/callback'],
    id_token_signed_response_alg: 'RS256',
    // CIS2's ID tokens carry auth_time; asking for it here puts it in every ID token.
    require_auth_time: true,
  };
}

// Which claims each scope releases, after CIS2's "Scopes and claims" page (digital.nhs.uk, CIS2
// Authentication guidance for developers). CIS2 sends scope claims from userinfo; with
// conformIdTokenClaims off they are in the ID token as well, which is where the desk reads them.
// CIS2 releases nhsid_useruid and idassurancelevel with the nhsperson scope; unless
// --strict-cis2-scopes is given they also come with openid, so "openid profile email
// nationalrbacaccess" alone yields them. acr and amr ride with openid because CIS2's ID tokens
// always carry them, whereas oidc-provider adds acr only when acr_values asked for it.
function claimsConfig(strict) {
  return {
    openid: [
      'sub', 'acr', 'amr', 'id_assurance_level', 'authentication_assurance_level',
      ...(strict ? [] : ['nhsid_useruid', 'idassurancelevel']),
    ],
    profile: ['name', 'given_name', 'family_name', 'uid'],
    email: ['email'],
    nhsperson: ['nhsid_useruid', 'title', 'idassurancelevel', 'initials', 'middle_names', 'display_name'],
    associatedorgs: ['nhsid_user_orgs'],
    nationalrbacaccess: ['nhsid_nrbac_roles'],
    acr: null,
    amr: null,
    auth_time: null,
    iss: null,
    sid: null,
  };
}

const escapeHtml = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} - CIS2 test provider</title>
<style>
body { font-family: sans-serif; max-width: 28rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5; }
label { display: block; margin-top: 1rem; font-weight: bold; }
input { display: block; width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; }
button { margin-top: 1.5rem; padding: .5rem 1.5rem; font-size: 1rem; }
[role="alert"] { border-left: 4px solid #d5281b; padding-left: .75rem; color: #d5281b; }
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function loginPage({ action, clientName, login, error }) {
  const invalid = error ? ' aria-invalid="true" aria-describedby="error"' : '';
  return page('Sign in', `<h1>Sign in</h1>
<p>Signing in to <strong>${escapeHtml(clientName)}</strong> with the CIS2 test provider.</p>
${error ? `<p id="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="${escapeHtml(action)}">
<label for="login">User name</label>
<input id="login" name="login" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${escapeHtml(login)}"${invalid}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${invalid}>
<button id="sign-in" type="submit">Sign in</button>
</form>`);
}

function consentPage({ allowAction, denyAction, clientName, scopes }) {
  const items = scopes.map((scope) => `<li>${escapeHtml(scope)}</li>`).join('');
  return page('Allow access', `<h1>Allow access</h1>
<p><strong>${escapeHtml(clientName)}</strong> asks for:</p>
<ul id="scopes">${items}</ul>
<form method="post" action="${escapeHtml(allowAction)}">
<button id="allow" type="submit">Allow</button>
</form>
<form method="post" action="${escapeHtml(denyAction)}">
<button id="deny" type="submit">Cancel</button>
</form>`);
}

// The interaction pages post plain HTML forms; they are small, so a bounded read is enough.
async function readForm(req) {
  const type = String(req.headers['content-type'] ?? '').split(';')[0].trim();
  if (type !== 'application/x-www-form-urlencoded') throw new Error(`unexpected content type "${type}"`);
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 16 * 1024) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

async function main() {
  const opts = options();
  if (opts.now) runClockFrom(opts.now);
  const users = loadUsers(opts.usersFile);

  // Listen first: with --port 0 the issuer's port is known only then.
  const server = http.createServer();
  server.once('error', (error) => fail(`cannot listen on 127.0.0.1:${opts.port}: ${error.message}`));
  server.listen(opts.port, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();

  // "{port}" in --issuer stands for the port actually bound, for a custom issuer with --port 0.
  const issuer = (opts.issuer ?? `http://127.0.0.1:${port}`).replaceAll('{port}', String(port)).replace(/\/$/, '');
  let issuerUrl;
  try {
    issuerUrl = new URL(issuer);
  } catch {
    fail(`--issuer ${issuer} is not a URL`);
  }
  // An issuer with a path (CIS2's has one) is served under that path.
  const mountPath = issuerUrl.pathname.replace(/\/$/, '');

  const published = await newSigningKey('published');
  const unpublished = opts.unpublishedSigningKey ? await newSigningKey('unpublished') : undefined;
  // oidc-provider signs with the first suitable key, so the unpublished one goes first; the JWKS
  // answer leaves it out (below) and every token response is checked to carry its kid.
  const keys = unpublished ? [unpublished, published] : [published];

  const provider = new Provider(issuer, {
    clients: [nativeClient('booking-desk', 'Booking Desk'), nativeClient('other-desk', 'Other Desk')],
    scopes: ['openid', 'profile', 'email', 'nhsperson', 'associatedorgs', 'nationalrbacaccess'],
    claims: claimsConfig(opts.strictCis2Scopes),
    conformIdTokenClaims: false,
    acrValues: CIS2_ACR_VALUES,
    responseTypes: ['code'],
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
    },
    pkce: { required: () => true },
    ttl: {
      IdToken: opts.idTokenTtl,
      AccessToken: 3600,
      AuthorizationCode: 60,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
    },
    // No browser-side script uses this provider; the desk talks to it from Rust.
    clientBasedCORS: () => false,
    interactions: { url: (ctx, interaction) => `${mountPath}/interaction/${interaction.uid}` },
    async findAccount(ctx, sub) {
      const user = users.bySub.get(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: async () => ({ ...user.claims, sub, uid: sub }) };
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<h1>Sign-in error</h1>
<p id="error-code" role="alert">${escapeHtml(out.error)}</p>
<p id="error-description">${escapeHtml(out.error_description)}</p>`);
    },
  });

  // A short request log on stderr: paths only, since queries and bodies carry codes.
  provider.use(async (ctx, next) => {
    await next();
    console.error(`oidc: ${ctx.method} ${ctx.path} ${ctx.status}`);
  });
  for (const event of ['server_error', 'authorization.error', 'grant.error', 'userinfo.error']) {
    provider.on(event, (ctx, error) => console.error(`oidc: ${event}: ${error.name}: ${error.message}${error.error_description ? ` (${error.error_description})` : ''}`));
  }

  if (unpublished) {
    console.error(`oidc: ID tokens are signed with the unpublished key ${unpublished.kid}`);
    provider.use(async (ctx, next) => {
      await next();
      if (ctx.oidc?.route === 'jwks' && Array.isArray(ctx.body?.keys)) {
        ctx.body = { keys: ctx.body.keys.filter((key) => key.kid !== unpublished.kid) };
      }
      if (ctx.oidc?.route === 'token' && typeof ctx.body?.id_token === 'string') {
        const { kid } = decodeProtectedHeader(ctx.body.id_token);
        if (kid !== unpublished.kid) {
          // Never hand out a correctly signed token in this mode: the desk's test would pass
          // for the wrong reason.
          console.error(`oidc: an ID token was signed with ${kid}, not the unpublished key`);
          ctx.status = 500;
          ctx.body = { error: 'server_error', error_description: 'signed with the wrong key' };
        }
      }
    });
  }

  // The sign-in and consent pages (oidc-provider leaves these to the deployment).
  provider.use(async (ctx, next) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login|consent|abort))?$/.exec(ctx.path);
    if (!match) return next();
    const [, uid, step] = match;
    ctx.set('Cache-Control', 'no-store');
    ctx.set('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");

    let details;
    try {
      details = await provider.interactionDetails(ctx.req, ctx.res);
      if (details.uid !== uid) throw new Error('interaction mismatch');
    } catch {
      ctx.status = 400;
      ctx.type = 'html';
      ctx.body = page('Sign-in error', `<h1>Sign-in error</h1>
<p id="error-code" role="alert">This sign-in has expired or was not started here. Start again from the application.</p>`);
      return undefined;
    }
    const { prompt, params } = details;
    const client = await provider.Client.find(params.client_id);
    const clientName = client?.clientName ?? params.client_id;
    const base = `${mountPath}/interaction/${uid}`;
    const finish = async (result, merge = true) => {
      await provider.interactionFinished(ctx.req, ctx.res, result, { mergeWithLastSubmission: merge });
      ctx.respond = false;
    };
    const saveGrant = async () => {
      const grant = details.grantId
        ? await provider.Grant.find(details.grantId)
        : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
      const missing = prompt.details;
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
      return grant.save();
    };

    if (ctx.method === 'GET' && !step) {
      if (prompt.name === 'login') {
        ctx.type = 'html';
        ctx.body = loginPage({ action: `${base}/login`, clientName, login: params.login_hint ?? '' });
        return undefined;
      }
      if (prompt.name === 'consent') {
        if (FIRST_PARTY_CLIENTS.has(params.client_id)) return finish({ consent: { grantId: await saveGrant() } });
        ctx.type = 'html';
        ctx.body = consentPage({
          allowAction: `${base}/consent`,
          denyAction: `${base}/abort`,
          clientName,
          scopes: String(params.scope ?? '').split(' ').filter(Boolean),
        });
        return undefined;
      }
    }
    if (ctx.method === 'POST' && step === 'login' && prompt.name === 'login') {
      let form;
      try {
        form = await readForm(ctx.req);
      } catch (error) {
        ctx.throw(400, error.message);
      }
      const login = form.get('login') ?? '';
      const user = users.byLogin.get(login);
      // Checked even for an unknown user, so both failures take the same path.
      const ok = passwordMatches(form.get('password') ?? '', user?.password ?? randomBytes(16).toString('hex')) && user;
      if (!ok) {
        console.error('oidc: sign-in refused: wrong user name or password');
        ctx.type = 'html';
        ctx.body = loginPage({
          action: `${base}/login`, clientName, login, error: 'The user name or password is wrong. Try again.',
        });
        return undefined;
      }
      return finish({
        login: {
          accountId: user.claims.nhsid_useruid,
          acr: user.acr ?? 'AAL3_ANY',
          amr: user.amr ?? ['N3_SMARTCARD'],
          // A session cookie only: each new browser signs in afresh.
          remember: false,
        },
      }, false);
    }
    if (ctx.method === 'POST' && step === 'consent' && prompt.name === 'consent') {
      return finish({ consent: { grantId: await saveGrant() } });
    }
    if (ctx.method === 'POST' && step === 'abort') {
      return finish({ error: 'access_denied', error_description: 'The user cancelled the sign-in.' }, false);
    }
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = page('Sign-in error', `<h1>Sign-in error</h1>
<p id="error-code" role="alert">Unexpected step "${escapeHtml(step ?? prompt.name)}" of this sign-in.</p>`);
    return undefined;
  });

  const handle = provider.callback();
  server.on('request', (req, res) => {
    if (mountPath) {
      // Served under the issuer's path; oidc-provider finds its mount point from originalUrl.
      const inside = req.url === mountPath || req.url.startsWith(`${mountPath}/`);
      if (!inside) {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
        return;
      }
      req.originalUrl = req.url;
      req.url = req.url.slice(mountPath.length) || '/';
    }
    handle(req, res);
  });

  const stop = () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);

  process.stdout.write(`OIDC_PROVIDER_READY ${issuer}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

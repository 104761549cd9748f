#!/usr/bin/env node
// Stands in for the system browser in Booking Desk's sign-in tests, so the desk can be given
// "node tests/oidc/browse.mjs" as its browser command and call it with the authorisation URL as
// the only argument:
//
//   OIDC_TEST_USER=handler OIDC_TEST_PASSWORD=handler-pass node tests/oidc/browse.mjs '<authorize URL>'
//
// It follows the provider's redirects with a cookie jar, fills in the sign-in form (ids login,
// password, sign-in) and the consent form if one is shown, then makes the final request to the
// client's loopback redirect_uri for real, as a browser would. It reports that response's status
// on stderr and exits 0 if it was 2xx, 1 otherwise (2 for a usage error). It never prints the
// authorisation code, state or password.

const STEP_LIMIT = 25;
const REQUEST_TIMEOUT_MS = 15_000;

function fail(message, code = 1) {
  console.error(`browse.mjs: ${message}`);
  process.exit(code);
}

// Just enough of RFC 6265 for one provider: host-only cookies, paths, expiry by deletion.
class CookieJar {
  #cookies = new Map();

  store(url, response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair.indexOf('=');
      if (eq < 1) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let cookiePath = url.pathname.slice(0, url.pathname.lastIndexOf('/')) || '/';
      let expired = false;
      for (const attribute of attributes) {
        const [key, ...rest] = attribute.split('=');
        const attributeValue = rest.join('=').trim();
        switch (key.trim().toLowerCase()) {
          case 'path':
            if (attributeValue.startsWith('/')) cookiePath = attributeValue;
            break;
          case 'max-age':
            if (Number(attributeValue) <= 0) expired = true;
            break;
          case 'expires':
            if (Date.parse(attributeValue) <= Date.now()) expired = true;
            break;
          default:
            break;
        }
      }
      const key = `${url.host} ${cookiePath} ${name}`;
      if (expired) this.#cookies.delete(key);
      else this.#cookies.set(key, { host: url.host, path: cookiePath, name, value });
    }
  }

  header(url) {
    const matches = [...this.#cookies.values()].filter((cookie) => cookie.host === url.host && (
      url.pathname === cookie.path
      || url.pathname.startsWith(cookie.path.endsWith('/') ? cookie.path : `${cookie.path}/`)));
    // Longer paths first, as browsers send them.
    matches.sort((a, b) => b.path.length - a.path.length);
    return matches.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  }
}

const decodeEntities = (text) => text
  .replace(/&#(\d+);/g, (_, code) => String.fromCodePoint(Number(code)))
  .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

function attributes(source) {
  const result = {};
  for (const match of source.matchAll(/([\w:-]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    result[match[1].toLowerCase()] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return result;
}

// The provider's pages are plain forms; a regular-expression reading of them is enough here.
function forms(html) {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map(([, attrs, inner]) => ({
    ...attributes(attrs),
    inputs: [...inner.matchAll(/<input\b([^>]*)>/gi)].map(([, a]) => attributes(a)),
    buttons: [...inner.matchAll(/<button\b([^>]*)>/gi)].map(([, a]) => attributes(a)),
  }));
}

function textOf(html, id) {
  const match = new RegExp(`<[a-z0-9]+\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</`, 'i').exec(html);
  return match ? decodeEntities(match[1].replace(/<[^>]+>/g, '')).trim() : undefined;
}

function describePage(html) {
  const parts = [textOf(html, 'error-code'), textOf(html, 'error-description'), textOf(html, 'error')]
    .filter(Boolean);
  if (parts.length) return parts.join(': ');
  const title = /<title>([\s\S]*?)<\/title>/i.exec(html);
  return title ? `page "${decodeEntities(title[1]).trim()}"` : 'a page without a title';
}

const isLoopback = (url) => ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);

async function request(jar, url, { method = 'GET', form } = {}) {
  const headers = {};
  const cookie = jar.header(url);
  if (cookie) headers.cookie = cookie;
  if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: form?.toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    fail(`cannot reach ${url.origin}${url.pathname}: ${error.cause?.code ?? error.cause?.message ?? error.message}`);
  }
  jar.store(url, response);
  return response;
}

async function main() {
  const [, , address, ...extra] = process.argv;
  if (!address || extra.length) fail('usage: node browse.mjs <authorize-url>  (env OIDC_TEST_USER, OIDC_TEST_PASSWORD)', 2);
  let url;
  try {
    url = new URL(address);
  } catch {
    fail('the argument is not a URL', 2);
  }
  const providerOrigin = url.origin;
  // The desk names its loopback redirect in the request; without it, any loopback address that
  // is not the provider's own is taken as the client.
  const redirectParam = url.searchParams.get('redirect_uri');
  const expected = redirectParam ? new URL(redirectParam) : undefined;
  const isClient = (target) => target.origin !== providerOrigin && (expected
    ? target.origin === expected.origin && target.pathname === expected.pathname
    : isLoopback(target));

  const jar = new CookieJar();
  let next = { url, method: 'GET' };
  let signedIn = false;
  let consented = false;

  for (let step = 0; step < STEP_LIMIT; step += 1) {
    if (isClient(next.url)) {
      // The last hop: the desk's own loopback listener, requested for real.
      const target = next.url;
      const error = target.searchParams.get('error');
      if (error) {
        const description = target.searchParams.get('error_description');
        console.error(`browse.mjs: the provider returned error=${error}${description ? ` (${description})` : ''}`);
      }
      const response = await request(jar, target);
      await response.body?.cancel();
      console.error(`browse.mjs: ${target.origin}${target.pathname} answered ${response.status}`);
      process.exit(response.status >= 200 && response.status < 300 ? 0 : 1);
    }
    if (next.url.origin !== providerOrigin) {
      fail(`redirected to ${next.url.origin}${next.url.pathname}, which is neither the provider nor the client's redirect_uri`);
    }

    const response = await request(jar, next.url, next);
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      await response.body?.cancel();
      if (!location) fail(`${response.status} from ${next.url.pathname} without a Location`);
      next = { url: new URL(location, next.url), method: 'GET' };
      continue;
    }
    const html = await response.text();
    if (response.status !== 200) fail(`the provider answered ${response.status} at ${next.url.pathname}: ${describePage(html)}`);

    const found = forms(html);
    const login = found.find((form) => form.inputs.some((input) => input.id === 'login'));
    if (login) {
      if (signedIn) fail(`sign-in refused: ${describePage(html)}`);
      const user = process.env.OIDC_TEST_USER;
      const password = process.env.OIDC_TEST_PASSWORD;
      if (!user || password === undefined) fail('the provider asks for a sign-in: set OIDC_TEST_USER and OIDC_TEST_PASSWORD');
      const form = new URLSearchParams();
      for (const input of login.inputs) {
        if (!input.name) continue;
        if (input.id === 'login') form.set(input.name, user);
        else if (input.id === 'password') form.set(input.name, password);
        else form.set(input.name, input.value ?? '');
      }
      signedIn = true;
      next = { url: new URL(login.action || next.url.href, next.url), method: 'POST', form };
      continue;
    }
    const consent = found.find((form) => form.buttons.some((button) => button.id === 'allow'));
    if (consent) {
      if (consented) fail('the provider asked for consent twice');
      consented = true;
      const form = new URLSearchParams();
      for (const input of consent.inputs) if (input.name) form.set(input.name, input.value ?? '');
      next = { url: new URL(consent.action || next.url.href, next.url), method: 'POST', form };
      continue;
    }
    fail(`unexpected page at ${next.url.pathname}: ${describePage(html)}`);
  }
  fail(`gave up after ${STEP_LIMIT} steps without reaching the client's redirect_uri`);
}

main().catch((error) => fail(error.stack ?? String(error)));

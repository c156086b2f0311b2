// A real OpenID provider for the single sign-on tests: node's oidc-provider (OpenID certified), on
// loopback, with one fixed client and a few test accounts. Started and stopped by tests/sso/conftest.py.
//
//   PORT=0 REDIRECT_URIS='["http://localhost/auth/sso/terug"]' node provider.mjs
//
// It prints one line, "listening <issuer>", once it answers. Its own sign-in page (/interaction/<uid>)
// takes an account's login and password, and a box "met tweede factor": ticked, the ID token says
// amr ["pwd", "otp"] and acr "urn:regiotafel:test:loa:hoog"; unticked, amr ["pwd"] and acr "...:laag".
// Consent is implied: the client is the provider's own (first-party).

import http from 'node:http';
import { URL } from 'node:url';
import Provider from 'oidc-provider';

const PORT = Number(process.env.PORT || 0);
const REDIRECT_URIS = JSON.parse(process.env.REDIRECT_URIS || '["http://localhost/auth/sso/terug"]');
const POST_LOGOUT_REDIRECT_URIS = JSON.parse(process.env.POST_LOGOUT_REDIRECT_URIS || '[]');
export const CLIENT_ID = process.env.CLIENT_ID || 'regiotafel';
export const CLIENT_SECRET = process.env.CLIENT_SECRET || 'test-geheim-van-de-client';
const PASSWORD = 'provider-wachtwoord';

// login → claims. The e-mail address and whether the provider vouches for it.
const ACCOUNTS = {
  'beleid@ezk.test': { email: 'beleid@ezk.test', email_verified: true, name: 'Beleid EZK' },
  'secretariaat@ezk.test': { email: 'secretariaat@ezk.test', email_verified: true, name: 'Secretariaat EZK' },
  'nieuw@ezk.test': { email: 'nieuw@ezk.test', email_verified: true, name: 'Nieuwe Collega' },
  'onbevestigd@ezk.test': { email: 'onbevestigd@ezk.test', email_verified: false, name: 'Onbevestigd' },
  'economie@noord-brabant.test': {
    email: 'economie@noord-brabant.test', email_verified: true, name: 'Economie Noord-Brabant',
  },
};

const escape = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>${escape(title)}</title></head>
<body><h1>${escape(title)}</h1>${body}</body></html>`;
}

function loginForm(uid, error) {
  return page('Testprovider: inloggen', `
${error ? `<p role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login">
  <label>Gebruikersnaam <input name="login" autocomplete="off"></label>
  <label>Wachtwoord <input name="password" type="password"></label>
  <label><input type="checkbox" name="mfa" value="1"> met tweede factor</label>
  <button type="submit">Inloggen bij de testprovider</button>
</form>`);
}

const configuration = {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    redirect_uris: REDIRECT_URIS,
    post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // acr and amr with every ID token, as Entra ID and Keycloak send them, not only when asked for by name.
  claims: { openid: ['sub', 'acr', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
  // The e-mail address in the ID token itself, as Entra ID and Keycloak put it there.
  conformIdTokenClaims: false,
  acrValues: ['urn:regiotafel:test:loa:laag', 'urn:regiotafel:test:loa:hoog'],
  pkce: { required: () => true },
  // Pages of its own, without the defaults' web fonts: a test never reaches beyond the loopback.
  features: {
    devInteractions: { enabled: false },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Testprovider: uitloggen', `${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Ook bij de testprovider uitloggen</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Testprovider: uitgelogd', '');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Testprovider: fout', `<pre>${escape(JSON.stringify(out))}</pre>`);
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['test-cookie-sleutel'] },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...account }; } };
  },
  // The client is the provider's own: every scope it asks for is granted without a consent page.
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
    grant.addOIDCScope(ctx.oidc.params.scope);
    await grant.save();
    return grant;
  },
};

function readForm(req) {
  return new Promise((resolve, reject) => {
    let data = '';
    req.on('data', (chunk) => { data += chunk; });
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}

const server = http.createServer();
let provider;

async function interaction(req, res, url) {
  const details = await provider.interactionDetails(req, res);
  const send = (status, html) => {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  };
  if (req.method === 'GET') return send(200, loginForm(details.uid));
  if (req.method !== 'POST' || !url.pathname.endsWith('/login')) return send(405, page('Niet toegestaan', ''));
  const form = await readForm(req);
  const login = form.get('login') || '';
  if (!ACCOUNTS[login] || form.get('password') !== PASSWORD) {
    return send(400, loginForm(details.uid, 'Onbekende gebruikersnaam of verkeerd wachtwoord.'));
  }
  const strong = form.get('mfa') === '1';
  return provider.interactionFinished(req, res, {
    login: {
      accountId: login,
      acr: strong ? 'urn:regiotafel:test:loa:hoog' : 'urn:regiotafel:test:loa:laag',
      amr: strong ? ['pwd', 'otp'] : ['pwd'],
    },
  }, { mergeWithLastSubmission: false });
}

server.on('request', (req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  if (url.pathname.startsWith('/interaction/')) {
    interaction(req, res, url).catch((err) => {
      res.writeHead(400, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(String(err && err.message));
    });
    return;
  }
  provider.callback()(req, res);
});

server.listen(PORT, '127.0.0.1', () => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  provider = new Provider(issuer, configuration);
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  console.log(`listening ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));

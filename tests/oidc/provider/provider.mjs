// A real OpenID provider for Agora's single sign-on tests (panva/oidc-provider, certified).
//
// node provider.mjs CONFIG.json — the config names the port, the clients and a people file.
// The people file is read again on every look-up, so a test disables a person (or changes
// their groups) by rewriting it; a person missing from it or marked "disabled" is unknown to
// the provider, which refuses their sign-in and their refresh tokens.
import { readFileSync } from 'node:fs';

import Provider from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;

function person(id) {
  const people = JSON.parse(readFileSync(config.people, 'utf8'));
  const found = people[id];
  return found && !found.disabled ? found : undefined;
}

const provider = new Provider(issuer, {
  clients: config.clients,
  async findAccount(_ctx, id) {
    const found = person(id);
    if (!found) return undefined;
    return {
      accountId: id,
      async claims() {
        return { sub: id, ...found.claims };
      },
    };
  },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username', 'locale', 'zoneinfo'],
    groups: ['groups'],
  },
  features: {
    devInteractions: { enabled: true },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  pkce: { required: () => true },
  // Refresh tokens for every client allowed to use them (Agora's recheck), not only with
  // offline_access.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  // The provider refuses to call loopback addresses (SSRF protection), but in the tests the
  // back-channel logout receiver is one; drop the guarding dispatcher for this test provider.
  fetch: (url, options) => globalThis.fetch(url, { ...options, dispatcher: undefined }),
  cookies: { keys: ['agora-test-provider-cookie-key'] },
  ttl: { Session: 3600, Grant: 3600, RefreshToken: 3600, AccessToken: 600, IdToken: 600 },
});
provider.on('server_error', (_ctx, error) => console.error(error));
provider.on('backchannel.error', (_client, error) => console.error('backchannel', error));

provider.listen(config.port, '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});

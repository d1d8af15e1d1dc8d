/**
 * The headless host's sign-in page: plain HTML (the admin UI bundle is served only after it),
 * and the one script it loads, which signs in with the token of a printed link's #fragment: the
 * fragment never reaches the server, and the script removes it from the address and the history
 * before it posts the form.
 */

/** Served as /login.js; the page's Content-Security-Policy allows no inline script. */
export const loginScript = `(function () {
  function signInFromFragment() {
    var match = /(?:^#|&)token=([0-9a-fA-F]+)/.exec(window.location.hash);
    if (!match) return;
    window.history.replaceState(null, '', window.location.pathname);
    document.getElementById('token').value = match[1];
    document.getElementById('sign-in').submit();
  }
  signInFromFragment();
  // the link opened where this page already shows: only the fragment changes, the page stays
  window.addEventListener('hashchange', signInFromFragment);
})();
`;

/** No script but /login.js, no frames, forms only to this host. */
export const loginPagePolicy = "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function loginPage(problem: string | null, tokenFile: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Triad admin: sign in</title>
<style>
  body {
    font-family: "Segoe UI", system-ui, sans-serif; margin: 0; display: grid; place-items: center; min-height: 100vh;
    background: #f5f5f5; color: #242424;
  }
  form { background: #fff; padding: 24px 28px; border-radius: 8px; box-shadow: 0 2px 8px rgba(0,0,0,.12); width: min(460px, 90vw); }
  h1 { font-size: 20px; margin: 0 0 12px; }
  p { font-size: 14px; line-height: 1.45; }
  code { background: #f0f0f0; padding: 1px 4px; border-radius: 3px; word-break: break-all; }
  input { width: 100%; box-sizing: border-box; font: 14px monospace; padding: 8px; margin: 8px 0 16px; border: 1px solid #8a8a8a; border-radius: 4px; }
  button { font-size: 14px; padding: 6px 20px; background: #0f6cbd; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
  .problem { color: #b10e1c; font-weight: 600; }
</style>
</head>
<body>
<form id="sign-in" method="post" action="/login">
  <h1>Triad admin: sign in</h1>
  ${problem ? `<p class="problem" role="alert">${escapeHtml(problem)}</p>` : ''}
  <p>Open the sign-in link the host printed when it started, or paste the admin token from
  <code>${escapeHtml(tokenFile)}</code> (the token <code>triad lmdown</code> uses).</p>
  <label for="token">Admin token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" autofocus required>
  <button type="submit">Sign in</button>
</form>
<script src="/login.js"></script>
</body>
</html>
`;
}

// The login-form finder of both SDKs' sign-in (C#: embedded in Vault.Client.Playwright; TypeScript: generated into
// sdk/typescript/src/signin/scripts.ts). One function expression, evaluated in a frame by Playwright; it returns the
// fields it chose as element references (never any value) and a summary of kinds. It reads no input value.
//
// Heuristics, as password managers use them: `autocomplete` first (username, email, current-password, one-time-code),
// then input types, then the words of a field's labels, aria-label, placeholder, name and id in several languages.
// Only visible, enabled, editable fields count (honeypots hidden off-screen, by opacity or by size are skipped).
(() => {
  const USER_WORDS = /user(?!.?agent)|login|log.?in|sign.?in|e.?mail|account|identifier|\bid\b|benutzer|anmelde|konto|identifiant|utilisateur|courriel|adresse.?(e|é).?mail|usuario|correo|cuenta|utente|accesso|gebruiker|ユーザー|ユーザ名|メール|ログイン|アカウント|用户|用戶|邮箱|帐号|账号|아이디|사용자|이메일/i;
  const CODE_WORDS = /one.?time|otp|totp|2fa|mfa|two.?factor|verif|security.?code|auth.*code|code|token|pin\b|bestätigung|sicherheitscode|einmal|prüf|vérification|à usage unique|codice|verificación|código|確認コード|認証コード|ワンタイム|セキュリティコード|验证码|驗證碼|인증/i;
  const NOT_LOGIN = /search|suche|recherche|buscar|検索|newsletter|subscribe|coupon|promo|captcha|zip|postal|phone.?number|first.?name|last.?name|address(?!.?e?.?mail)/i;
  const STRICT_CODE = /one.?time|otp|totp|2fa|mfa|two.?factor|authenticator|verification|einmal|bestätigung|vérification|usage unique|ワンタイム|確認コード|認証コード|验证码/i;
  const LOGIN_PAGE = /log.?in|sign.?in|log.?on|auth|session|account|anmeld|einlogg|connexion|connecter|identif|iniciar|accedi|inloggen|ログイン|サインイン|登录|登入|로그인/i;
  const SOCIAL = /\bwith\b|\bmit\b|\bavec\b|\bcon\b|google|apple|facebook|microsoft|github|sso|passkey|で/i;
  const NEW_PASSWORD = /new|neu|nouveau|nuevo|confirm|repeat|again|wiederhol|bestätig|retype|verify|新しい|確認用/i;
  const SUBMIT_WORDS = /sign.?in|log.?in|log.?on|continue|next|submit|verify|confirm|anmelden|einloggen|weiter|fortfahren|bestätigen|connexion|se connecter|suivant|continuer|valider|iniciar|entrar|siguiente|accedi|avanti|inloggen|volgende|ログイン|サインイン|次へ|続行|確認|登录|登入|下一步|로그인|다음/i;
  const TEXTLIKE = new Set(['', 'text', 'email', 'tel', 'number', 'url']);

  const tokens = (el) => (el.getAttribute('autocomplete') || '').toLowerCase().split(/\s+/).filter(Boolean);

  const labelText = (el) => {
    const parts = [];
    if (el.labels) for (const l of el.labels) parts.push(l.innerText || l.textContent || '');
    const by = el.getAttribute('aria-labelledby');
    if (by) for (const id of by.split(/\s+/)) { const t = el.ownerDocument.getElementById(id); if (t) parts.push(t.textContent || ''); }
    for (const a of ['aria-label', 'placeholder', 'title', 'name', 'id', 'data-testid']) parts.push(el.getAttribute(a) || '');
    return parts.join(' ').replace(/\s+/g, ' ').trim();
  };

  const visible = (el) => {
    if (!el.isConnected || el.disabled || el.readOnly) return false;
    if (typeof el.checkVisibility === 'function' && !el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    const style = getComputedStyle(el);
    if (style.visibility !== 'visible' || style.display === 'none' || Number(style.opacity) < 0.1) return false;
    const r = el.getBoundingClientRect();
    if (r.width < 4 || r.height < 4) return false;
    const doc = el.ownerDocument.documentElement;
    const width = Math.max(doc.scrollWidth, innerWidth), height = Math.max(doc.scrollHeight, innerHeight);
    // Off the page (a honeypot at left: -9999px) cannot be what a person signs in with.
    return r.right + scrollX > 0 && r.bottom + scrollY > 0 && r.left + scrollX < width && r.top + scrollY < height;
  };

  // Inputs of the document and of open shadow roots, in document order.
  const inputs = [];
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.tagName === 'INPUT') inputs.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  const shown = inputs.filter(visible);

  const group = (el) => el.form || el.closest('[role=form], form, fieldset, dialog, section, main') || el.ownerDocument.body;

  const isPassword = (el) => el.type === 'password' && !tokens(el).includes('one-time-code');
  const isCode = (el) => {
    const t = tokens(el);
    if (t.includes('one-time-code')) return true;
    if (t.some((x) => ['username', 'email', 'current-password', 'new-password'].includes(x)) || el.type === 'email') return false;
    const words = labelText(el);
    // A password-type field is a code only when it says so plainly ("Passcode" is a password).
    if (el.type === 'password') return STRICT_CODE.test(words);
    return TEXTLIKE.has(el.type) && CODE_WORDS.test(words) && !NOT_LOGIN.test(words);
  };
  const userScore = (el) => {
    if (!TEXTLIKE.has(el.type) || el.type === 'number') return 0;
    const t = tokens(el);
    if (t.includes('username')) return 4;
    const words = labelText(el);
    if (NOT_LOGIN.test(words) && !USER_WORDS.test(words)) return 0;
    if (t.includes('email') || el.type === 'email') return 3;
    if (USER_WORDS.test(words)) return 2;
    return el.type === 'tel' ? 0 : 1;
  };

  const codes = shown.filter(isCode);
  const passwords = shown.filter((el) => isPassword(el) && !codes.includes(el));
  const result = { kinds: [], username: undefined, password: undefined, totp: undefined, submit: undefined };

  const submitOf = (scope, after) => {
    const candidates = [...scope.querySelectorAll('button, input[type=submit], input[type=image], [role=button]')].filter((b) => {
      if (!visible(b)) return false;
      const typed = (b.tagName === 'BUTTON' || b.tagName === 'INPUT') && b.type !== 'button';
      if (!typed && !SUBMIT_WORDS.test(b.innerText || b.value || b.getAttribute('aria-label') || '')) return false;
      return !after || (after.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
    const worded = candidates.filter((b) => SUBMIT_WORDS.test(b.innerText || b.value || b.getAttribute('aria-label') || ''));
    return worded.find((b) => !SOCIAL.test(b.innerText || b.value || '')) || candidates.find((b) => b.type === 'submit' && !SOCIAL.test(b.innerText || b.value || '')) || worded[0] || candidates.find((b) => b.type === 'submit') || candidates[0];
  };

  if (passwords.length > 0) {
    // Prefer a current password; a group of two or three passwords is a sign-up or change form.
    const scored = passwords.map((el) => {
      const t = tokens(el);
      const siblings = passwords.filter((p) => group(p) === group(el)).length;
      let score = t.includes('current-password') ? 10 : 0;
      if (t.includes('new-password') || NEW_PASSWORD.test(labelText(el))) score -= 10;
      if (siblings > 1) score -= 5;
      return { el, score };
    }).sort((a, b) => b.score - a.score);
    const best = scored[0];
    if (best.score > -5) {
      const password = best.el;
      const scope = group(password);
      // The username is the best text-like field before the password in its group (the nearest when tied).
      const before = shown.filter((el) => el !== password && !codes.includes(el) && scope.contains(el) &&
        (el.compareDocumentPosition(password) & Node.DOCUMENT_POSITION_FOLLOWING));
      let user;
      for (const el of before) { const s = userScore(el); if (s > 0 && (!user || s >= userScore(user))) user = el; }
      result.password = password;
      result.username = user;
      // A code field of the same form (sign-in pages that ask for all three at once).
      result.totp = codes.find((el) => scope.contains(el));
      result.submit = submitOf(scope === document.body ? document : scope, password);
    }
  } else if (codes.length > 0) {
    const code = codes[0];
    result.totp = code;
    const scope = group(code);
    result.submit = submitOf(scope === document.body ? document : scope, code);
  } else {
    // First step of a username-then-password flow: one strong username field, alone in its group.
    const strong = shown.filter((el) => userScore(el) >= 2);
    const alone = strong.filter((el) => shown.filter((o) => o !== el && group(o) === group(el) && TEXTLIKE.has(o.type)).length === 0);
    // A lone e-mail field is a login step only on a page or form that says so (not a newsletter box).
    const looksLogin = (el) => {
      if (tokens(el).includes('username')) return true;
      const scope = group(el);
      const about = [scope.getAttribute && (scope.getAttribute('action') || ''), scope.id, scope.className, scope.getAttribute && scope.getAttribute('aria-label'),
        (scope.innerText || '').slice(0, 500)].join(' ');
      if (/newsletter|subscribe|abonn|suscrib/i.test(about)) return false;
      return LOGIN_PAGE.test(about) || LOGIN_PAGE.test(document.title + ' ' + location.pathname);
    };
    const user = alone.filter(looksLogin).sort((a, b) => userScore(b) - userScore(a))[0];
    if (user) {
      result.username = user;
      const scope = group(user);
      result.submit = submitOf(scope === document.body ? document : scope, user);
    }
  }
  for (const kind of ['username', 'password', 'totp']) if (result[kind]) result.kinds.push(kind);
  return result;
})()

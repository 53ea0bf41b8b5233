// login-check.js — progressive enhancement for the sign-up form: tells as
// you type whether a login ID is free (GET /aikasanet/signup/login-check).
// The server decides again on submit; without JavaScript nothing changes.
'use strict';
(() => {
  const input = document.getElementById('f-login');
  const out = document.getElementById('login-check');
  if (!input || !out) return;
  let timer = null;
  const check = async () => {
    const v = input.value.trim();
    if (v.length < 3) { out.textContent = ''; return; }
    try {
      const res = await fetch(`/aikasanet/signup/login-check?login=${encodeURIComponent(v)}`,
        { credentials: 'same-origin' });
      const { available } = await res.json();
      if (input.value.trim() !== v) return;
      out.textContent = available ? 'このログインIDは使えます。' : 'このログインIDは使えません（使用中か、使えない文字が含まれています）。';
    } catch { out.textContent = ''; }
  };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(check, 400); });
})();

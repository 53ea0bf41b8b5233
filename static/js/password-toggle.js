// password-toggle.js — progressive enhancement (REQUIREMENTS Y2: masked
// input with a show toggle). Without JavaScript the fields simply stay
// masked; with it, each password field gets a toggle button after it.
'use strict';
document.querySelectorAll('input[type="password"]').forEach((input) => {
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'pw-toggle';
  button.textContent = 'パスワードを表示する';
  button.setAttribute('aria-pressed', 'false');
  if (input.id) button.setAttribute('aria-controls', input.id);
  button.addEventListener('click', () => {
    const show = input.type === 'password';
    input.type = show ? 'text' : 'password';
    button.setAttribute('aria-pressed', String(show));
  });
  input.insertAdjacentElement('afterend', button);
});

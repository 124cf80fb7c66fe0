/**
 * Sign-in: the link from the email (`?token=`) opens the session at once; otherwise the email, then
 * "check your mailbox" and the 6-digit code.
 */
import { api, h } from '../app.js';

const TEXTS = {
  fr: {
    title: 'Connexion',
    intro: 'Saisissez votre adresse e-mail : nous vous envoyons un lien et un code de connexion.',
    email: 'Adresse e-mail',
    send: 'Recevoir le lien',
    sent: 'Consultez votre messagerie : si cette adresse a accès à un compte, un lien et un code à 6 chiffres viennent de lui être envoyés (valables 15 minutes).',
    code: 'Code à 6 chiffres',
    verify: 'Se connecter',
    failed: 'Ce lien ou ce code est invalide, expiré ou déjà utilisé. Demandez-en un nouveau.',
    tooMany: 'Trop de demandes. Réessayez dans quelques minutes.',
    signingIn: 'Connexion en cours…',
  },
  en: {
    title: 'Sign in',
    intro: 'Enter your email address: we will send you a sign-in link and code.',
    email: 'Email address',
    send: 'Send me the link',
    sent: 'Check your mailbox: if this address has access to an account, a link and a 6-digit code have just been sent to it (valid 15 minutes).',
    code: '6-digit code',
    verify: 'Sign in',
    failed: 'This link or code is invalid, expired or already used. Ask for a new one.',
    tooMany: 'Too many requests. Try again in a few minutes.',
    signingIn: 'Signing in…',
  },
};

export async function render({ main, lang }) {
  const t = TEXTS[lang];
  document.title = t.title;
  const message = h('p', { role: 'status', id: 'message' });
  const openSession = async (body) => {
    try {
      await api('/v1/buyer/sessions', { method: 'POST', body });
      location.assign('/portal/');
    } catch (error) {
      message.className = 'alert';
      message.textContent = error.response?.status === 429 ? t.tooMany : t.failed;
    }
  };
  const token = new URLSearchParams(location.search).get('token');
  if (token) {
    // The token leaves the address bar (and the history) before anything else happens.
    history.replaceState(null, '', '/portal/sign-in');
    main.replaceChildren(h('h1', {}, t.title), message);
    message.textContent = t.signingIn;
    await openSession({ token });
    return;
  }
  const email = h('input', {
    type: 'email',
    id: 'email',
    name: 'email',
    required: true,
    autocomplete: 'email',
  });
  const code = h('input', {
    id: 'code',
    name: 'code',
    required: true,
    inputMode: 'numeric',
    pattern: '[0-9]{6}',
    maxLength: 6,
    autocomplete: 'one-time-code',
  });
  const codeForm = h(
    'form',
    {
      hidden: true,
      onsubmit: (event) => {
        event.preventDefault();
        openSession({ email: email.value.trim(), code: code.value.trim() });
      },
    },
    h('label', { htmlFor: 'code' }, t.code, code),
    h('button', { type: 'submit' }, t.verify),
  );
  const emailForm = h(
    'form',
    {
      onsubmit: async (event) => {
        event.preventDefault();
        try {
          await api('/v1/buyer/sign-in', { method: 'POST', body: { email: email.value.trim() } });
          message.className = 'note';
          message.textContent = t.sent;
          codeForm.hidden = false;
          code.focus();
        } catch (error) {
          message.className = 'alert';
          message.textContent = error.response?.status === 429 ? t.tooMany : t.failed;
        }
      },
    },
    h('label', { htmlFor: 'email' }, t.email, email),
    h('button', { type: 'submit' }, t.send),
  );
  main.replaceChildren(h('h1', {}, t.title), h('p', {}, t.intro), emailForm, message, codeForm);
}

// The passkey buttons of the pages. Served from our own origin as /assets/passkeys.js, after
// /assets/simplewebauthn-browser.js (the @simplewebauthn/browser bundle), on the pages that offer
// passkeys only. Each `form[data-passkey]` carries its WebAuthn options (made by the server with
// its ceremony cookie) in `data-options`; the browser's answer goes into the hidden `response`
// field and the form is posted like any other. Without JavaScript the forms stay hidden and the
// rest of the page works as before.
(function () {
  'use strict';
  var webauthn = window.SimpleWebAuthnBrowser;
  if (!webauthn) return;
  var forms = document.querySelectorAll('form[data-passkey]');
  Array.prototype.forEach.call(forms, function (form) {
    var kind = form.getAttribute('data-passkey');
    var options = JSON.parse(form.getAttribute('data-options'));
    var field = form.querySelector('input[name="response"]');
    var status = form.querySelector('[data-passkey-status]');
    var say = function (text) { if (status) status.textContent = text; };
    if (!webauthn.browserSupportsWebAuthn()) return;
    form.hidden = false;
    var send = function (answer) {
      field.value = JSON.stringify(answer);
      form.submit();
    };
    var failed = function (error) {
      if (error && error.name === 'AbortError') return;
      say(error && error.name === 'NotAllowedError' ? 'The passkey request was cancelled or timed out. Try again.' : 'The passkey could not be used: ' + (error && error.message ? error.message : 'unknown error'));
      autofill();
    };
    // Autofill (conditional UI): the browser offers this site's passkeys in the email field's suggestions.
    var autofill = function () {
      if (kind !== 'login' || form.getAttribute('data-autofill') !== 'true') return;
      webauthn.browserSupportsWebAuthnAutofill().then(function (supported) {
        if (supported) webauthn.startAuthentication({ optionsJSON: options, useBrowserAutofill: true }).then(send, failed);
      });
    };
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      say('');
      var ceremony = kind === 'register' ? webauthn.startRegistration({ optionsJSON: options }) : webauthn.startAuthentication({ optionsJSON: options });
      ceremony.then(send, failed);
    });
    autofill();
  });
})();

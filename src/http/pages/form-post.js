// Submits the authorization response form of the form_post response mode (authorization-response.ts).
// A file of its own, served from our origin: the page's CSP allows no inline script.
document.querySelector('form[data-auto-submit]')?.submit();

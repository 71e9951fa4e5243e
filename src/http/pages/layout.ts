import type { FastifyReply } from 'fastify';
import { html, type SafeHtml } from './html.ts';

export interface PageOptions {
  title: string;
  /** Shown in the header when someone is signed in. */
  signedInAs?: string;
  body: SafeHtml;
}

/** The shell of every page: no scripts, one same-origin stylesheet, allowed by the page CSP. */
export function page({ title, signedInAs, body }: PageOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Gatehouse</title>
<link rel="stylesheet" href="/assets/style.css">
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
</head>
<body>
<header class="top">
  <a class="brand" href="/">Gatehouse</a>
  <nav aria-label="Account">${
    signedInAs === undefined
      ? html`<a href="/login">Log in</a> <a href="/signup">Sign up</a>`
      : html`<span class="who">${signedInAs}</span> <a href="/account">Account</a> <a href="/logout">Log out</a>`
  }</nav>
</header>
<main id="main">
${body}
</main>
</body>
</html>
`;
}

export function sendPage(reply: FastifyReply, status: number, options: PageOptions): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page(options).value);
}

/** A status message region (why the user is on this page); nothing when there is none. */
export function notice(message: string | undefined): SafeHtml {
  return message === undefined ? html`` : html`<p class="notice" role="status">${message}</p>`;
}

/** An error message region that screen readers announce. */
export function alert(message: string | undefined): SafeHtml {
  return message === undefined ? html`` : html`<p class="alert" role="alert">${message}</p>`;
}

/** 303 See Other: after a form POST, the browser follows with a GET. */
export function redirectAfterPost(reply: FastifyReply, location: string): FastifyReply {
  return reply.code(303).header('location', location).send();
}

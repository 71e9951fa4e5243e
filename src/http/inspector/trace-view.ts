import type { TraceValue } from '../../core/trace/ports.ts';
import { html, type SafeHtml } from '../pages/html.ts';
import type { PresentedTrace } from './present-trace.ts';

/**
 * One trace as HTML, escaped by `html`: the page lists these without JavaScript, and the stream
 * sends the same markup so the live page shows exactly what a reload would.
 */

function value(v: TraceValue): SafeHtml {
  if (v === null) return html`<span class="muted">none</span>`;
  if (Array.isArray(v)) {
    const items = v as readonly TraceValue[];
    if (items.length === 0) return html`<span class="muted">none</span>`;
    return html`<ul class="values">${items.map((item) => html`<li>${value(item)}</li>`)}</ul>`;
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as { readonly [key: string]: TraceValue });
    // A cookie attribute with its reason reads as one line.
    if (entries.length === 2 && 'attribute' in v && 'why' in v) return html`<code>${String(v.attribute)}</code> ${String(v.why)}`;
    return html`<dl class="detail">${entries.map(([key, inner]) => html`<dt>${key}</dt><dd>${value(inner)}</dd>`)}</dl>`;
  }
  return html`${String(v)}`;
}

function expiry(detail: { readonly [key: string]: TraceValue }): SafeHtml {
  const claims = detail.claims;
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return html``;
  const exp = (claims as { readonly [key: string]: TraceValue }).exp;
  if (typeof exp !== 'number') return html``;
  return html`<p class="muted">Expires <time data-expires="${String(exp)}" datetime="${new Date(exp * 1000).toISOString()}">${new Date(exp * 1000).toISOString().replace('T', ' ').slice(0, 19)} UTC</time></p>`;
}

export function traceView(trace: PresentedTrace): SafeHtml {
  const steps = trace.steps.map(
    (step) => html`<li class="step kind-${step.kind} outcome-${step.outcome}">
<p class="step-title"><span class="badge kind">${step.kind}</span> <strong>${step.title}</strong>${step.outcome === 'info' ? '' : html` <span class="outcome">${step.outcome === 'ok' ? 'passed' : 'refused'}</span>`} <span class="muted">+${String(step.atMs)} ms</span></p>
${Object.keys(step.detail).length === 0 ? html`` : value(step.detail)}${expiry(step.detail)}
${step.teach === null ? html`` : html`<p class="teach"><a href="${step.teach.url}" rel="noreferrer">${step.teach.cite}</a>: ${step.teach.why}</p>`}
</li>`,
  );
  return html`<article class="card trace" data-seq="${String(trace.seq)}" data-flow="${trace.flowId}">
<h3>${trace.label} <span class="muted">${trace.status === null ? '' : String(trace.status)} · ${String(trace.durationMs)} ms</span></h3>
<p class="muted">Flow <code>${trace.flowId}</code> · <time datetime="${trace.startedAt}">${trace.startedAt.replace('T', ' ').slice(0, 19)} UTC</time>${trace.droppedSteps > 0 ? ` · ${String(trace.droppedSteps)} more steps not kept` : ''}</p>
<ol class="steps">${steps}</ol>
</article>`;
}

/**
 * The document an artifact runs as. Isolation comes from the iframe's sandbox (an opaque origin, so
 * none of the app's storage, DOM or cookies) and this Content Security Policy (no network at all, so
 * model-written code cannot phone home and the app stays offline); harden.ts closes what no CSP
 * covers (WebRTC, the nested frames that would bring it back, and the connection Chromium opens for a
 * followed link before the app's frame-src refuses it).
 */
import type { Artifact } from './detect';
import { hardeningScript, withoutDeclarativeShadowRoots } from './harden';
import { leadingDoctypeEnd } from './scan';

/**
 * Everything inline, data: and blob: may run or render; nothing may be fetched. 'unsafe-eval' is
 * there because model-written calculators and the like call eval(); it opens no network path.
 * A meta CSP cannot carry frame-ancestors or sandbox, which the iframe attributes cover instead.
 */
export const ARTIFACT_CSP = [
  "default-src 'none'",
  "script-src 'unsafe-inline' 'unsafe-eval' blob: data:",
  "style-src 'unsafe-inline' blob: data:",
  'img-src data: blob:',
  'font-src data: blob:',
  'media-src data: blob:',
  "connect-src 'none'",
  "frame-src 'none'",
  "form-action 'none'",
  "base-uri 'none'",
].join('; ');

const CSP_META = `<meta http-equiv="Content-Security-Policy" content="${ARTIFACT_CSP}">`;
// CSP does not cover DNS prefetching, which would otherwise still leak host names.
const NO_DNS_PREFETCH = '<meta http-equiv="x-dns-prefetch-control" content="off">';

/** The messages the capture script posts to the parent. */
export type ArtifactMessage =
  | { channel: string; type: 'console'; level: ConsoleLevel; text: string }
  | { channel: string; type: 'error'; text: string; line: number; col: number }
  | { channel: string; type: 'escape' };

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';
export const CONSOLE_LEVELS: readonly ConsoleLevel[] = ['log', 'info', 'warn', 'error', 'debug'];

/** Longest text one console call or error may send, so a runaway log cannot flood the app. */
export const MAX_TEXT = 8000;

/**
 * Runs inside the artifact before any of its code. Kept on one line, because it is inserted on the
 * line of the model's doctype: the line numbers the artifact's errors report stay those of the source
 * the model wrote, which is what "Ask the model to fix it" sends back.
 */
function captureScript(channel: string): string {
  const src = [
    '(function(){',
    `var channel=${JSON.stringify(channel)},MAX=${MAX_TEXT},post=window.parent.postMessage.bind(window.parent);`,
    'function send(m){m.channel=channel;try{post(m,"*");}catch(e){}}',
    'function cap(s){return s.length>MAX?s.slice(0,MAX)+"\\u2026 ("+(s.length-MAX)+" more characters)":s;}',
    'function err(e){var s=String(e&&e.stack||"");var head=e.name+": "+e.message;return s.indexOf(e.message)>=0?s:s?head+"\\n"+s:head;}',
    'function node(n){return"<"+(n.nodeName||"node").toLowerCase()+(n.id?"#"+n.id:"")+">";}',
    // JSON with cycles cut at the ancestor that repeats, long arrays shortened, and the values JSON
    // drops (undefined, functions, bigints, Maps) spelled out.
    'function json(v){var stack=[];return JSON.stringify(v,function(k,x){',
    'if(typeof x==="bigint")return x+"n";if(typeof x==="function")return"[Function "+(x.name||"anonymous")+"]";if(x===undefined)return"[undefined]";if(typeof x==="symbol")return String(x);',
    'if(x instanceof Error)return err(x);if(typeof Node!=="undefined"&&x instanceof Node)return node(x);',
    'if(x instanceof Map)x={"[Map]":Array.from(x.entries())};else if(x instanceof Set)x={"[Set]":Array.from(x)};',
    'if(x!==null&&typeof x==="object"){while(stack.length&&stack[stack.length-1]!==this)stack.pop();if(stack.indexOf(x)>=0)return"[Circular]";stack.push(x);',
    'if(Array.isArray(x)&&x.length>100){x=x.slice(0,100).concat(["\\u2026 "+(x.length-100)+" more"]);stack[stack.length-1]=x;}}',
    'return x;});}',
    'function fmt(v){try{if(typeof v==="string")return v;if(v instanceof Error)return err(v);',
    'if(v===null||typeof v!=="object"&&typeof v!=="function")return typeof v==="bigint"?v+"n":String(v);',
    'if(typeof v==="function")return"[Function "+(v.name||"anonymous")+"]";if(typeof Node!=="undefined"&&v instanceof Node)return node(v);',
    'var j=json(v);return j===undefined?String(v):j;}catch(e){try{return String(v);}catch(e2){return"[unprintable]";}}}',
    'function text(a){var s="";for(var i=0;i<a.length&&s.length<=MAX;i++)s+=(i?" ":"")+fmt(a[i]);return cap(s);}',
    '["log","info","warn","error","debug"].forEach(function(level){var orig=console[level];',
    'console[level]=function(){send({type:"console",level:level,text:text(arguments)});return orig.apply(console,arguments);};});',
    'addEventListener("error",function(e){if(!(e instanceof ErrorEvent))return;',
    'send({type:"error",text:cap(e.error!=null?fmt(e.error):String(e.message)),line:e.lineno|0,col:e.colno|0});});',
    'addEventListener("unhandledrejection",function(e){send({type:"error",text:cap("Unhandled promise rejection: "+fmt(e.reason)),line:0,col:0});});',
    // What the CSP refused is otherwise only in DevTools; the user should learn why the CDN script is missing.
    'addEventListener("securitypolicyviolation",function(e){send({type:"console",level:"warn",text:cap("Blocked "+(e.blockedURI||"resource")+" ("+e.effectiveDirective+"): artifacts run offline")});});',
    // A click into the artifact takes the keyboard with it, so Esc would no longer reach the app.
    'addEventListener("keydown",function(e){if(e.key==="Escape")send({type:"escape"});});',
    '})();',
  ].join('');
  // Nothing the channel holds may close the script element early.
  return `<script>${src.replace(/<\/(script)/gi, '<\\/$1')}</script>`;
}

/** The model's document with `inject` placed first in <head>, whatever the document looks like. */
function withHeadStart(source: string, inject: string): string {
  // Opening html and head ourselves before anything the model wrote: a later <html> only adds its
  // attributes, a later <head> is ignored, and no comment, stray script or <head> lookalike can come
  // first. The model's doctype must go, or one after our tags would drop the page into quirks mode.
  const rest = source.slice(leadingDoctypeEnd(source));
  return `<!DOCTYPE html><html><head>${inject}${rest}`;
}

/** The document for the iframe's srcdoc: CSP first, then the console capture, then the artifact. */
export function artifactSrcdoc(artifact: Artifact, channel: string): string {
  const source = withoutDeclarativeShadowRoots(artifact.source);
  return withHeadStart(source, CSP_META + NO_DNS_PREFETCH + captureScript(channel) + hardeningScript());
}

/** Whether a posted message is a well-formed artifact message; the sender check is the caller's. */
export function isArtifactMessage(data: unknown, channel: string): data is ArtifactMessage {
  if (typeof data !== 'object' || data === null) return false;
  const m = data as Record<string, unknown>;
  if (m.channel !== channel) return false;
  if (m.type === 'escape') return true;
  if (typeof m.text !== 'string') return false;
  if (m.type === 'console') return CONSOLE_LEVELS.includes(m.level as ConsoleLevel);
  return m.type === 'error' && typeof m.line === 'number' && typeof m.col === 'number';
}

/**
 * The widget's side of the postMessage channel: it obeys only its parent page, and only when that
 * page's origin is allowed; everything it says goes to the allowed origins alone (never '*': replies
 * are the user's conversation).
 */
import { envelope, parseHostMessage, ProtocolError, type HostMessage, type WidgetMessage } from './protocol';

export interface HostLink {
  post: (m: WidgetMessage) => void;
}

export function connectHost(origins: readonly string[], onMessage: (m: HostMessage) => void): HostLink {
  const embedded = window.parent !== window;
  const post = (m: WidgetMessage) => {
    if (!embedded) return;
    for (const o of origins) window.parent.postMessage(envelope(m), o);
  };
  window.addEventListener('message', (e) => {
    if (e.source !== window.parent || !origins.includes(e.origin)) {
      if (isProtocolShaped(e.data))
        console.warn(
          `Lite Coder widget: ignored a message from ${e.origin}, which this widget does not allow (allowed: ${origins.join(', ') || 'none'}).`,
        );
      return;
    }
    let m: HostMessage | null;
    try {
      m = parseHostMessage(e.data);
    } catch (err) {
      if (!(err instanceof ProtocolError)) throw err;
      post({ type: 'error', code: err.code, message: err.message });
      return;
    }
    if (m) onMessage(m);
  });
  return { post };
}

function isProtocolShaped(d: unknown): boolean {
  return typeof d === 'object' && d !== null && (d as { protocol?: unknown }).protocol === 'lite-coder-embed';
}

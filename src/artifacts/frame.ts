/**
 * Creates the sandboxed iframe an artifact runs in and hands over the messages it posts. Built by hand
 * rather than through JSX so that every restriction is on the element before srcdoc is set and the
 * element is connected: the sandbox flags are read when the frame navigates, not later.
 */
import type { Artifact } from './detect';
import { artifactSrcdoc, isArtifactMessage, type ArtifactMessage } from './sandbox';

export interface ArtifactFrame {
  iframe: HTMLIFrameElement;
  channel: string;
  dispose(): void;
}

/** A fresh id per iframe, so that a reloaded or replaced frame's stragglers are told apart. */
export function newChannel(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return 'artifact-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/**
 * Neither the sandbox nor the artifact's own CSP stops it from navigating ITSELF (location.href = url,
 * a link, a meta refresh), which would send a request anywhere. Chromium checks such navigations of a
 * child frame against the frame-src of the page that embeds it, so the app page gets one. srcdoc
 * frames are not fetched and stay allowed. A CSP can only be tightened, never lifted, so this is
 * for the lifetime of the page; the app may declare the same policy in index.html instead.
 */
export function forbidFrameNavigation(): void {
  if (document.querySelector('meta[data-artifact-frame-src]')) return;
  const meta = document.createElement('meta');
  meta.httpEquiv = 'Content-Security-Policy';
  meta.content = "frame-src 'none'";
  meta.dataset.artifactFrameSrc = '';
  document.head.prepend(meta);
}

export function mountArtifactFrame(
  host: HTMLElement,
  artifact: Artifact,
  onMessage: (m: ArtifactMessage) => void,
): ArtifactFrame {
  forbidFrameNavigation();
  const channel = newChannel();
  const iframe = document.createElement('iframe');
  // Scripts only. Never allow-same-origin: with allow-scripts it would let the artifact lift its own
  // sandbox and read the app's storage. No popups, top navigation, modals, forms or downloads either.
  iframe.setAttribute('sandbox', 'allow-scripts');
  iframe.setAttribute('allow', '');
  iframe.setAttribute('referrerpolicy', 'no-referrer');
  // Where supported, a credentialless frame gets no cookies or storage partitions of its own either.
  if ('credentialless' in iframe) iframe.setAttribute('credentialless', '');
  iframe.setAttribute('title', artifact.title);
  iframe.dataset.channel = channel;
  iframe.className = 'artifact-frame';

  // The channel alone proves nothing (the artifact knows it); the sender must be this very frame.
  const listener = (e: MessageEvent) => {
    if (e.source === null || e.source !== iframe.contentWindow) return;
    if (isArtifactMessage(e.data, channel)) onMessage(e.data);
  };
  window.addEventListener('message', listener);
  iframe.srcdoc = artifactSrcdoc(artifact, channel);
  host.appendChild(iframe);
  return {
    iframe,
    channel,
    dispose() {
      window.removeEventListener('message', listener);
      iframe.remove();
    },
  };
}

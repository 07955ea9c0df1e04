/**
 * Mounts the artifact panel for a model message the browser test provides, and records what the
 * panel asks of the chat (fix requests, closing). Built as a separate page; the app never loads it.
 */
import { h, render } from 'preact';
import { ArtifactPanel } from '../../src/artifacts/ArtifactPanel';
import { extractArtifacts, type Artifact } from '../../src/artifacts/detect';
import { mountArtifactFrame } from '../../src/artifacts/frame';
import '../../src/styles.css';

const root = document.getElementById('panel')!;
const fixes: { error: string; source: string }[] = [];
let closed = 0;

/** Shows every artifact of the message as a version of one, starting at the first. */
function mount(markdown: string): Artifact[] {
  const versions = extractArtifacts(markdown);
  const show = (index: number) => {
    render(
      h(ArtifactPanel, {
        versions,
        index,
        onIndex: show,
        onClose: () => {
          closed++;
          render(null, root);
        },
        onFix: (error: string, source: string) => {
          fixes.push({ error, source });
        },
      }),
      root,
    );
  };
  render(null, root);
  if (versions.length > 0) show(0);
  return versions;
}

/** Console lines per frame of mountFrames, in the order the frames were given. */
const frameLines: string[][] = [];

/**
 * Runs several html documents side by side, each in its own artifact frame built exactly as the panel
 * builds it (mountArtifactFrame), and records what each one logs.
 */
function mountFrames(sources: string[]): void {
  const stage = document.getElementById('frames')!;
  sources.forEach((source, i) => {
    const host = stage.appendChild(document.createElement('div'));
    host.className = 'frame-host';
    frameLines[i] = [];
    const artifact: Artifact = { id: `html-${i}`, kind: 'html', title: `frame ${i}`, source, blocks: [0] };
    mountArtifactFrame(host, artifact, (m) => {
      if (m.type !== 'escape') frameLines[i]!.push(m.text);
    });
  });
}

const harness = { mount, mountFrames, frameLines, fixes, closed: () => closed };
declare global {
  interface Window {
    artifactsHarness: typeof harness;
  }
}
window.artifactsHarness = harness;
document.body.dataset.ready = '1';

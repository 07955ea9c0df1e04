/**
 * The artifacts of a thread's replies, in order: the versions the preview steps through. Each reply
 * is read once (a cache by text), and a render whose replies are the same strings as the last one's
 * returns the same array: streaming into one reply costs nothing for the others.
 */
import { useRef } from 'preact/hooks';
import { extractArtifacts, type Artifact } from '../artifacts/detect';

export interface ThreadArtifact {
  /** the message it came from */
  node: string;
  artifact: Artifact;
}

/** A message to read artifacts from. */
export interface ArtifactSource {
  id: string;
  content: string;
}

const CACHE_LIMIT = 500;
const cache = new Map<string, Artifact[]>();

function artifactsOf(content: string): Artifact[] {
  let found = cache.get(content);
  if (found === undefined) {
    found = extractArtifacts(content);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value ?? '');
    cache.set(content, found);
  }
  return found;
}

/**
 * The artifacts of `sources`, in their order. The caller leaves out a reply still streaming: its
 * text changes on every flush, and its code is not finished (its Run buttons come when it is).
 */
export function useThreadArtifacts(sources: readonly ArtifactSource[]): ThreadArtifact[] {
  const last = useRef<{ sources: readonly ArtifactSource[]; found: ThreadArtifact[] } | null>(null);
  const before = last.current;
  if (
    before &&
    before.sources.length === sources.length &&
    before.sources.every((s, i) => s.id === sources[i]!.id && s.content === sources[i]!.content)
  ) {
    return before.found;
  }
  const found = sources.flatMap((s) => artifactsOf(s.content).map((artifact) => ({ node: s.id, artifact })));
  last.current = { sources, found };
  return found;
}

/** Per message, the code blocks that start an artifact ("0,2"): what its Run buttons depend on. */
export function runnableBlocks(artifacts: readonly ThreadArtifact[]): Map<string, string> {
  const blocks = new Map<string, number[]>();
  for (const a of artifacts) {
    const list = blocks.get(a.node) ?? [];
    list.push(a.artifact.blocks[0]!);
    blocks.set(a.node, list);
  }
  return new Map([...blocks].map(([node, list]) => [node, list.join(',')]));
}

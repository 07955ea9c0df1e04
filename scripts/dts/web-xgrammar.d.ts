// The one type of @mlc-ai/web-xgrammar that web-llm's public types use (ResponseFormat.structural_tag),
// for builds of dist/lite-coder.d.ts where that package is not installed. Its definition in
// @mlc-ai/web-xgrammar 0.1.27 (lib/structural_tag.d.ts) is StructuralTag | StructuralTagFormat |
// Record<string, unknown> | string, whose last two members take every value of the first two.
export type StructuralTagLike = Record<string, unknown> | string;

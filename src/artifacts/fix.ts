/** The turn "Ask the model to fix it" sends: the error, then the whole page, asking for all of it back. */
export function fixRequest(error: string, source: string): string {
  return `The page you wrote fails with this error:\n\n\`\`\`\n${error}\n\`\`\`\n\nHere is the code:\n\n\`\`\`html\n${source}\n\`\`\`\n\nPlease fix it and give the whole corrected page.`;
}

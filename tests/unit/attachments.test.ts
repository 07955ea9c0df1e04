import { describe, expect, it } from 'vitest';
import { attachmentBlock, fenceFor, langFor, withAttachments } from '../../src/chat/attachments';

describe('attachments', () => {
  it('fences a file with more backticks than it contains, in the language of its extension', () => {
    expect(fenceFor('no ticks')).toBe('```');
    expect(fenceFor('a ```` b ` c')).toBe('`````');
    expect(langFor('src/app.tsx')).toBe('tsx');
    expect(langFor('Makefile')).toBe('');
    expect(langFor('.env')).toBe('');
    expect(attachmentBlock({ path: 'a/b.py', text: 'x = 1' })).toBe('`a/b.py`\n\n```python\nx = 1\n```');
  });
  it('puts the text first, then each file', () => {
    const files = [
      { path: 'a.js', text: 'a()\n' },
      { path: 'b.md', text: '```\nz\n```\n' },
    ];
    expect(withAttachments('  why?  ', files)).toBe(
      'why?\n\n`a.js`\n\n```javascript\na()\n```\n\n`b.md`\n\n````markdown\n```\nz\n```\n````',
    );
    expect(withAttachments('', files.slice(0, 1))).toBe('`a.js`\n\n```javascript\na()\n```');
  });
  it('scans a long run of backticks in linear time', () => {
    const t0 = performance.now();
    fenceFor('`'.repeat(1_000_000));
    expect(performance.now() - t0).toBeLessThan(500);
  });
});

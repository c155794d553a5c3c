// Prints the commands of the README's Quick start code block, one a line (used by .ci/run).
import { readFileSync } from 'node:fs';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const section = readme.split(/^## /m).find((part) => /^Quick start\b/i.test(part));
if (!section) throw new Error('README.md has no "## Quick start" section');
const block = /```[a-z]*\n([\s\S]*?)```/.exec(section);
if (!block) throw new Error('the Quick start section has no fenced code block');
for (const line of block[1].split('\n')) {
  const command = line.trim();
  if (command && !command.startsWith('#')) console.log(command);
}

// Reads the recorded and hand-built rerank bodies kept beside the codec.
import { readFileSync } from 'node:fs';
import { wireFixturePath } from '../../support/repo-paths.js';

export function readRerankFixture(name: string): unknown {
  return JSON.parse(readFileSync(wireFixturePath('rerank', `${name}.json`), 'utf8')) as unknown;
}

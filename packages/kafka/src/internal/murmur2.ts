// The partitioner's hash is public (`src/murmur2.ts`); internal callers keep this path.
export { murmur2, partitionForKey } from '../murmur2.js';

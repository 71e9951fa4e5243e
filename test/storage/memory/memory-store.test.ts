import { createMemoryStore } from '../../../src/storage/memory/memory-store.ts';
import { runStoreContract } from '../contract.ts';

runStoreContract('memory', async () => createMemoryStore());
